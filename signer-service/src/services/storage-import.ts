// SPDX-License-Identifier: MIT
// Indexes packages copied into storage by hand (`packages/<id>/<version>/<id>.<version>.nupkg`), so
// that they are served, signed on their first download.

import { stat } from 'node:fs/promises';
import { packagesRepository } from '../db/packages-repository.js';
import { packageKeys } from '../storage/package-store.js';
import type { FeedContext } from './feed-context.js';
import { identityFromNuspec } from './package-metadata.js';

/** What an import found. */
export interface ImportReport {
  readonly imported: readonly string[];
  /** Keys that could not be imported, with the reason. */
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
}

/**
 * Scans storage for dropped packages no row references and indexes each as stored unsigned. A file
 * whose nuspec id and version do not match its path, or that is not a valid package, is skipped.
 */
export async function importDroppedPackages(ctx: FeedContext): Promise<ImportReport> {
  const packages = packagesRepository(ctx.db);
  const referenced = await packages.referencedKeys();
  const imported: string[] = [];
  const skipped: { key: string; reason: string }[] = [];
  for (const key of await ctx.store.list('packages', [3])) {
    if (referenced.has(key) || !key.endsWith('.nupkg')) continue;
    try {
      const { nuspec, size } = await ctx.store.withLocalFile(key, async (path) => ({
        ...(await ctx.signer.readPackage(path)),
        size: (await stat(path)).size,
      }));
      const identity = identityFromNuspec(nuspec);
      if (key !== packageKeys.dropped(identity.idLower, identity.versionLower)) {
        skipped.push({ key, reason: `expected at ${packageKeys.dropped(identity.idLower, identity.versionLower)}` });
        continue;
      }
      const inserted = await packages.insertIfAbsent({ ...identity, originalKey: key, signedKey: null, certificateFingerprint: null, sizeBytes: size });
      if (inserted !== undefined) imported.push(key);
      else skipped.push({ key, reason: 'this version is already published' });
    } catch (error) {
      skipped.push({ key, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { imported, skipped };
}
