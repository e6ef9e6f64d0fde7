// SPDX-License-Identifier: MIT
// The package index rebuilt from storage after the database was lost: every version's newest
// generation (`packages/<id>/<version>/<generation>/...`) is verified and indexed again.

import { stat } from 'node:fs/promises';
import { PackageArchive, readNuspec, verifyPackage, type CertificateInfo } from '@reposign/signing';
import { certificatesRepository } from '../db/certificates-repository.js';
import type { Database } from '../db/database.js';
import { schemaCreatedAt } from '../db/migrate.js';
import { packagesRepository } from '../db/packages-repository.js';
import { FeedError } from '../errors.js';
import type { PackageStore } from '../storage/package-store.js';
import { identityFromNuspec } from './package-metadata.js';

/** The rebuild command, as operators type it. */
export const REBUILD_COMMAND = 'reposign-feed admin rebuild-index';

/** What a rebuild found. */
export interface RebuildReport {
  readonly imported: readonly { readonly key: string; readonly signed: boolean }[];
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
}

/** The stored files of one generation of one version. */
interface StoredGeneration {
  readonly idLower: string;
  readonly versionLower: string;
  readonly generation: string;
  /** Files below the generation folder, by key. */
  readonly keys: string[];
}

/** Groups the generation-keyed files in storage (depth 4 and 5 below `packages/`) by generation. */
async function storedGenerations(store: PackageStore): Promise<StoredGeneration[]> {
  const keys = await store.list('packages', [4, 5]);
  const generations = new Map<string, StoredGeneration>();
  for (const key of keys) {
    const [, idLower, versionLower, generation] = key.split('/');
    if (idLower === undefined || versionLower === undefined || generation === undefined || !key.endsWith('.nupkg')) continue;
    const folder = `packages/${idLower}/${versionLower}/${generation}`;
    const entry = generations.get(folder) ?? { idLower, versionLower, generation, keys: [] };
    entry.keys.push(key);
    generations.set(folder, entry);
  }
  return [...generations.values()];
}

/**
 * Throws FEED_INDEX_LOST when the database holds no package but storage holds packages the feed
 * wrote: the database was lost or replaced, and starting would serve an empty feed (and a sweep of
 * unreferenced files would delete every package).
 */
export async function assertIndexPresent(db: Database, store: PackageStore, storagePath: string): Promise<void> {
  if ((await packagesRepository(db).referencedKeys()).size > 0) return;
  // Files written since this database was created are uncommitted pushes of its own feed (the
  // orphan sweep removes them); only files older than the database show that an index was lost.
  const created = (await schemaCreatedAt(db))?.getTime() ?? Date.now();
  const generations = await storedGenerations(store);
  const changed = await Promise.all(generations.map((generation) => newestChange(store, generation.keys)));
  const stored = generations.filter((_, index) => (changed[index] ?? 0) < created);
  if (stored.length === 0) return;
  throw new FeedError(
    'FEED_INDEX_LOST',
    `The database holds no packages but ${storagePath}/packages holds ${stored.length} pushed package generation(s): the database was lost or replaced; run \`${REBUILD_COMMAND}\` (npm run admin -- rebuild-index) to index them again, then start the feed.`,
  );
}

/** The newest modification time among a generation's files. */
async function newestChange(store: PackageStore, keys: readonly string[]): Promise<number> {
  const times = await Promise.all(keys.map((key) => store.withLocalFile(key, async (path) => (await stat(path)).mtimeMs)));
  return Math.max(...times);
}

/** The repository signature's certificate if the signed copy at `path` verifies and was signed for `serviceIndexUrl`. */
async function ourRepositorySignature(path: string, serviceIndexUrl: string): Promise<CertificateInfo | string> {
  const verification = await verifyPackage(path);
  if (!verification.valid) return `does not verify: ${verification.issues.find((issue) => issue.level === 'error')?.message ?? 'invalid'}`;
  const repository = verification.inspection?.signatures.find((signature) => signature.type === 'repository');
  if (repository?.certificate === undefined) return 'carries no repository signature with its certificate';
  if (repository.serviceIndexUrl !== serviceIndexUrl) return `was signed for ${repository.serviceIndexUrl ?? 'no service index'}, not ${serviceIndexUrl}`;
  return repository.certificate;
}

/**
 * Indexes one generation: its newest signed copy when it carries our repository signature (its
 * certificate is recorded), else its original for signing on first download. Returns why nothing
 * could be indexed, or the key indexed.
 */
async function indexGeneration(db: Database, store: PackageStore, stored: StoredGeneration, serviceIndexUrl: string): Promise<RebuildReport['imported'][number] | string> {
  const original = stored.keys.find((key) => key.endsWith('/original.nupkg'));
  const signedCopies = stored.keys.filter((key) => key !== original);
  const byAge = await Promise.all(signedCopies.map(async (key) => ({ key, changed: await newestChange(store, [key]) })));
  const reasons: string[] = [];
  for (const key of [...byAge.sort((a, b) => b.changed - a.changed).map((copy) => copy.key), ...(original === undefined ? [] : [original])]) {
    const outcome = await store.withLocalFile(key, async (path) => {
      const archive = await PackageArchive.open(path);
      const nuspec = await readNuspec(archive).finally(() => archive.close());
      const identity = { ...identityFromNuspec(nuspec), generation: stored.generation };
      if (identity.idLower !== stored.idLower || identity.versionLower !== stored.versionLower) return `${key} holds ${nuspec.id} ${nuspec.version}`;
      const sizeBytes = (await stat(path)).size;
      if (key === original) {
        // An original may be unsigned (NU3004); anything else wrong with it is a reason to skip it.
        const problem = (await verifyPackage(path)).issues.find((issue) => issue.level === 'error' && issue.nugetCode !== 'NU3004');
        if (problem !== undefined) return `${key} does not verify: ${problem.message}`;
        const inserted = await packagesRepository(db).insertIfAbsent({ ...identity, originalKey: key, signedKey: null, certificateFingerprint: null, sizeBytes });
        return inserted ? { key, signed: false } : `${key}: the version is indexed already`;
      }
      const certificate = await ourRepositorySignature(path, serviceIndexUrl);
      if (typeof certificate === 'string') return `${key} ${certificate}`;
      return db.transaction(async (tx) => {
        await certificatesRepository(tx).publish(certificate);
        const inserted = await packagesRepository(tx).insertIfAbsent({ ...identity, originalKey: null, signedKey: key, certificateFingerprint: certificate.fingerprintSha256, sizeBytes });
        return inserted ? { key, signed: true } : `${key}: the version is indexed already`;
      });
    }).catch((error: unknown) => `${key}: ${error instanceof Error ? error.message : String(error)}`);
    if (typeof outcome !== 'string') return outcome;
    reasons.push(outcome);
  }
  return reasons.join('; ');
}

/**
 * Rebuilds the index from storage: per version, the generation changed last is indexed (older ones,
 * left by a crash or a delete and re-push, are reported as skipped). Versions already indexed are
 * left alone. Packages come back listed; unlisting is not stored beside the files.
 */
export async function rebuildIndex(db: Database, store: PackageStore, serviceIndexUrl: string): Promise<RebuildReport> {
  const byVersion = new Map<string, { stored: StoredGeneration; changed: number }[]>();
  for (const stored of await storedGenerations(store)) {
    const version = `${stored.idLower}/${stored.versionLower}`;
    byVersion.set(version, [...(byVersion.get(version) ?? []), { stored, changed: await newestChange(store, stored.keys) }]);
  }
  const imported: RebuildReport['imported'][number][] = [];
  const skipped: { key: string; reason: string }[] = [];
  for (const generations of byVersion.values()) {
    let done = false;
    for (const { stored } of generations.sort((a, b) => b.changed - a.changed)) {
      const folder = `packages/${stored.idLower}/${stored.versionLower}/${stored.generation}`;
      if (done) {
        skipped.push({ key: folder, reason: 'an older generation of a version already indexed' });
        continue;
      }
      const outcome = await indexGeneration(db, store, stored, serviceIndexUrl);
      if (typeof outcome === 'string') skipped.push({ key: folder, reason: outcome });
      else {
        imported.push(outcome);
        done = true;
      }
    }
  }
  return { imported, skipped };
}
