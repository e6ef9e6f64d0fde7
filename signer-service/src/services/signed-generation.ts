// SPDX-License-Identifier: MIT
// Stores a signed generation of a package version: sign into a temp file → store under the
// generation's key → record the row and the certificate use in one transaction. The one path by
// which a signed copy enters the feed (push, first download, rotation); all or nothing.

import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageArchive } from '@reposign/signing';
import { certificatesRepository } from '../db/certificates-repository.js';
import type { Session } from '../db/database.js';
import { packagesRepository, type PackageRecord, type PackagesRepository } from '../db/packages-repository.js';
import { packageKeys } from '../storage/package-store.js';
import { secondsSince, type FeedContext } from './feed-context.js';
import type { PackageIdentity } from './package-metadata.js';

/**
 * Which signed generation to store, named for when it happens (the name is also the metrics label
 * and the certificate record's mode):
 * - `push`: signs the upload (opened by the caller) and inserts the version's row;
 * - `download`: signs the stored original of `record` and points the row at the signed copy;
 * - `rotation`: re-signs the signed copy of `record` with the current key and points the row at it.
 */
export type GenerationSigning =
  | { readonly mode: 'push'; readonly upload: PackageArchive; readonly identity: PackageIdentity }
  | { readonly mode: 'download'; readonly record: PackageRecord & { readonly originalKey: string } }
  | { readonly mode: 'rotation'; readonly record: PackageRecord & { readonly signedKey: string } };

/** The signed copy once it is in storage. */
interface StoredCopy {
  readonly key: string;
  readonly fingerprint: string;
  readonly sizeBytes: number;
}

/** The version and generation the signing is for. */
function generationOf(signing: GenerationSigning): Pick<PackageRecord, 'idLower' | 'versionLower' | 'generation'> {
  return signing.mode === 'push' ? signing.identity : signing.record;
}

/** The stored object a download or rotation signing starts from, and replaces once recorded. */
function storedSource(signing: Exclude<GenerationSigning, { mode: 'push' }>): string {
  return signing.mode === 'download' ? signing.record.originalKey : signing.record.signedKey;
}

/** Writes the row and returns it; undefined when it is no longer in the state the signing started from. */
function writeRow(packages: PackagesRepository, signing: Exclude<GenerationSigning, { mode: 'push' }>, copy: StoredCopy): Promise<PackageRecord | undefined> {
  const { idLower, versionLower, generation } = generationOf(signing);
  const signed = { idLower, versionLower, generation, signedKey: copy.key, fingerprint: copy.fingerprint, sizeBytes: copy.sizeBytes };
  switch (signing.mode) {
    case 'download':
      return packages.markSigned(signed);
    case 'rotation':
      return packages.markResigned({ ...signed, previousKey: signing.record.signedKey });
  }
}

/** Signs the source into `signedPath` with the current key; returns the certificate's fingerprint and the signed size. */
async function signInto(ctx: FeedContext, signing: GenerationSigning, signedPath: string): Promise<{ fingerprint: string; sizeBytes: number }> {
  const started = process.hrtime.bigint();
  try {
    const outcome =
      signing.mode === 'push'
        ? await ctx.signer.sign(signing.upload, signedPath)
        : await ctx.store.withLocalFile(storedSource(signing), (path) => ctx.signer.sign(path, signedPath));
    ctx.metrics.signing(signing.mode, 'ok', secondsSince(started));
    return { fingerprint: outcome.certificate.fingerprintSha256, sizeBytes: outcome.sizeBytes };
  } catch (error) {
    ctx.metrics.signing(signing.mode, 'error', secondsSince(started));
    throw error;
  }
}

/**
 * Signs, stores and records one generation; every query runs on `session` (under an advisory
 * lock, the lock's own connection). Returns the version's row as the transaction left it, or
 * undefined when the row changed while signing (a concurrent push of the version, a delete, a
 * re-push, or another replica's signing): then nothing of this signing stays stored. On any failure
 * nothing is stored or recorded and the error is rethrown as it is: ReposignError from the engine,
 * FeedError or a driver error from storage and the database. Once recorded, the object the
 * signing replaced is deleted.
 */
export async function storeSignedGeneration(ctx: FeedContext, session: Session, signing: GenerationSigning): Promise<PackageRecord | undefined> {
  const { idLower, versionLower, generation } = generationOf(signing);
  const signedPath = join(ctx.store.tempDir, `${randomUUID()}.signed.nupkg`);
  // putFile consumes the scratch copy; until it has, the copy is removed on the way out.
  let stored = false;
  try {
    const { fingerprint, sizeBytes } = await signInto(ctx, signing, signedPath);
    const key =
      signing.mode === 'rotation' ? packageKeys.resigned(idLower, versionLower, generation, randomUUID()) : packageKeys.signed(idLower, versionLower, generation);
    const copy: StoredCopy = { key, fingerprint, sizeBytes };
    await ctx.store.putFile(key, signedPath);
    stored = true;
    let row: PackageRecord | undefined;
    try {
      // A push is one statement (the row and the certificate's use); the others change an existing
      // row in a transaction: BEGIN, the row (returned as written), the certificate's use, COMMIT.
      row =
        signing.mode === 'push'
          ? await packagesRepository(session).insertSignedIfAbsent({
              ...signing.identity,
              originalKey: null,
              signedKey: copy.key,
              certificateFingerprint: copy.fingerprint,
              sizeBytes: copy.sizeBytes,
            })
          : await session.transaction(async (tx) => {
              const written = await writeRow(packagesRepository(tx), signing, copy);
              if (written === undefined) return undefined;
              await certificatesRepository(tx).recordSigning(fingerprint, { idLower, versionLower, generation, mode: signing.mode });
              return written;
            });
    } catch (error) {
      await ctx.store.delete(key);
      throw error;
    }
    // Readers that already opened the replaced object keep their handle; new reads get the new row.
    if (row === undefined) await ctx.store.delete(key);
    else if (signing.mode !== 'push') await ctx.store.delete(storedSource(signing));
    return row;
  } finally {
    if (!stored) await rm(signedPath, { force: true });
  }
}
