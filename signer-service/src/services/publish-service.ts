// SPDX-License-Identifier: MIT
// Push: validate → policy → sign → store → index, all or nothing.

import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageArchive } from '@reposign/signing';
import { packagesRepository, type PackageRecord } from '../db/packages-repository.js';
import { FeedError } from '../errors.js';
import { packageKeys } from '../storage/package-store.js';
import { storageFaultOf } from './storage-faults.js';
import type { FeedContext } from './feed-context.js';
import { pruneOtherGenerations } from './orphan-sweep.js';
import { identityFromNuspec, type PackageIdentity } from './package-metadata.js';
import { storeSignedGeneration } from './signed-generation.js';
import { applySigningFailurePolicy } from './signing-failure-policy.js';

function packageExists(identity: PackageIdentity): FeedError {
  return new FeedError('FEED_PACKAGE_EXISTS', `Package ${identity.id} ${identity.version} already exists. Push a new version instead.`);
}

/**
 * Stores the upload as received, for signing on its first download. Throws FEED_PACKAGE_EXISTS when
 * another push took the version meanwhile; nothing stays stored on failure.
 */
async function storeUnsigned(ctx: FeedContext, upload: ReceivedUpload, identity: PackageIdentity): Promise<PackageRecord | undefined> {
  const key = packageKeys.original(identity.idLower, identity.versionLower, identity.generation);
  if (upload.kind === 'file') {
    await ctx.store.putFile(key, upload.path);
  } else {
    const path = join(ctx.store.tempDir, `${randomUUID()}.upload.nupkg`);
    try {
      await writeFile(path, upload.bytes, { flag: 'wx' });
      await ctx.store.putFile(key, path);
    } finally {
      await rm(path, { force: true });
    }
  }
  try {
    // One statement, its own transaction; the row comes back from the insert.
    return await packagesRepository(ctx.db).insert({ ...identity, originalKey: key, signedKey: null, certificateFingerprint: null, sizeBytes: upload.sizeBytes });
  } catch (error) {
    await ctx.store.delete(key);
    throw error;
  }
}

/** Signs and stores the upload, or applies the failure policy when signing fails. */
async function signAtPush(ctx: FeedContext, upload: ReceivedUpload, archive: PackageArchive, identity: PackageIdentity): Promise<PackageRecord | undefined> {
  try {
    return await storeSignedGeneration(ctx, ctx.db, { mode: 'push', upload: archive, identity });
  } catch (error) {
    // A full or broken volume is not a signing failure: no policy lets the package in unsigned.
    const fault = storageFaultOf(error, 'published');
    if (fault !== undefined) throw fault;
    applySigningFailurePolicy(ctx.signing, { id: identity.id, version: identity.version, action: 'published' }, error);
    return storeUnsigned(ctx, upload, identity);
  }
}

/** A package as received: whole in memory, or in a file in the scratch folder (which the caller removes). */
export type ReceivedUpload =
  | { readonly kind: 'memory'; readonly bytes: Uint8Array; readonly sizeBytes: number }
  | { readonly kind: 'file'; readonly path: string; readonly sizeBytes: number };

/**
 * Publishes the uploaded package (in memory, or in a scratch file the caller removes), opened once. Under
 * `SignOnPush` the package is signed before anything is stored; otherwise it is stored as received
 * and signed on first download. Throws ReposignError: ARCHIVE_*, NUSPEC_* or SIGNATURE_* for a bad
 * package, FEED_SIGNATURE_REJECTED under the Reject policy, FEED_PACKAGE_EXISTS for a duplicate, and
 * FEED_SIGNING_UNAVAILABLE (503) when signing fails, unless SelfSigned mode is configured with
 * AllowUnsignedOnFailure, which then stores the package unsigned; FEED_STORAGE_FULL or
 * FEED_STORAGE_UNAVAILABLE (503) when the volume cannot take it. On any failure nothing is stored
 * or indexed. Once published, files a crash left under other generations of the version go.
 */
export async function publishPackage(ctx: FeedContext, upload: ReceivedUpload): Promise<PackageRecord> {
  const startedMs = Date.now();
  // Opened once: validated, read and signed from the same bytes.
  const archive = await ctx.signer.open(upload.kind === 'memory' ? upload.bytes : upload.path);
  try {
    return await publishArchive(ctx, upload, archive, startedMs);
  } finally {
    await archive.close();
  }
}

async function publishArchive(ctx: FeedContext, upload: ReceivedUpload, archive: PackageArchive, startedMs: number): Promise<PackageRecord> {
  const { inspection, nuspec } = await ctx.signer.readPackage(archive);
  const identity = identityFromNuspec(nuspec);
  if (await packagesRepository(ctx.db).exists(identity.idLower, identity.versionLower)) throw packageExists(identity);
  if (ctx.signing.publishSignaturePolicy === 'Reject' && inspection.kind.includes('repository')) {
    throw new FeedError(
      'FEED_SIGNATURE_REJECTED',
      `Package ${identity.id} ${identity.version} already carries a repository signature (${inspection.kind}); this feed's PublishSignaturePolicy is Reject. Push the package without a repository signature (author signatures are accepted).`,
    );
  }
  const record = ctx.signing.signOnPush ? await signAtPush(ctx, upload, archive, identity) : await storeUnsigned(ctx, upload, identity);
  // Another push of the same version won the race since the check above.
  if (record === undefined) throw packageExists(identity);
  // Housekeeping: the push is committed whatever it meets; the startup sweep retries what it leaves.
  await pruneOtherGenerations(ctx, record, startedMs).catch(() => undefined);
  return record;
}
