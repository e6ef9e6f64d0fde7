// SPDX-License-Identifier: MIT
// Push: validate → policy → sign → store → index, all or nothing.

import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { certificatesRepository } from '../db/certificates-repository.js';
import { packagesRepository, type PackageRecord } from '../db/packages-repository.js';
import { hasErrorOrigin } from '@reposign/signing';
import { FeedError } from '../errors.js';
import { packageKeys } from '../storage/package-store.js';
import { secondsSince, type FeedContext } from './feed-context.js';
import type { SignOutcome } from './feed-signer.js';
import { identityFromNuspec } from './package-metadata.js';

/**
 * Publishes the package uploaded to the local file `uploadPath` (which the caller removes). Under
 * `SignOnPush` the package is signed before anything is stored; otherwise it is stored as received
 * and signed on first download. Throws ReposignError: ARCHIVE_*, NUSPEC_* or SIGNATURE_* for a bad
 * package, FEED_SIGNATURE_REJECTED under the Reject policy, FEED_PACKAGE_EXISTS for a duplicate, and
 * FEED_SIGNING_UNAVAILABLE (503) when signing fails, unless SelfSigned mode is configured with
 * AllowUnsignedOnFailure, which then stores the package unsigned. On any failure nothing is stored
 * or indexed.
 */
export async function publishPackage(ctx: FeedContext, uploadPath: string): Promise<PackageRecord> {
  const { inspection, nuspecXml } = await ctx.signer.readPackage(uploadPath);
  const identity = identityFromNuspec(nuspecXml);
  const packages = packagesRepository(ctx.db);
  if ((await packages.find(identity.idLower, identity.versionLower)) !== undefined) {
    throw new FeedError('FEED_PACKAGE_EXISTS', `Package ${identity.id} ${identity.version} already exists. Push a new version instead.`);
  }
  if (ctx.signing.publishSignaturePolicy === 'Reject' && inspection.kind.includes('repository')) {
    throw new FeedError(
      'FEED_SIGNATURE_REJECTED',
      `Package ${identity.id} ${identity.version} already carries a repository signature (${inspection.kind}); this feed's PublishSignaturePolicy is Reject. Push the package without a repository signature (author signatures are accepted).`,
    );
  }
  const storeUnsigned = async (): Promise<PackageRecord> => {
    const key = packageKeys.original(identity.idLower, identity.versionLower, identity.generation);
    const { size } = await stat(uploadPath);
    await ctx.store.putFile(key, uploadPath);
    return insertOrUnstore(ctx, key, async () => {
      await packages.insert({ ...identity, originalKey: key, signedKey: null, certificateFingerprint: null, sizeBytes: size });
    });
  };
  if (!ctx.signing.signOnPush) return storeUnsigned();
  const signedPath = join(ctx.store.tempDir, `${randomUUID()}.signed.nupkg`);
  try {
    const started = process.hrtime.bigint();
    let outcome: SignOutcome;
    try {
      outcome = await ctx.signer.sign(uploadPath, signedPath);
      ctx.metrics.signing('push', 'ok', secondsSince(started));
    } catch (error) {
      ctx.metrics.signing('push', 'error', secondsSince(started));
      if (hasErrorOrigin(error, 'package')) throw error;
      // The stated failure policy: only SelfSigned mode, and only when configured, publishes unsigned.
      if (ctx.signing.mode === 'SelfSigned' && ctx.signing.allowUnsignedOnFailure) return await storeUnsigned();
      throw signingUnavailable(identity.id, identity.version, error);
    }
    const { size } = await stat(signedPath);
    const key = packageKeys.signed(identity.idLower, identity.versionLower, identity.generation);
    await ctx.store.putFile(key, signedPath);
    const fingerprint = outcome.certificate.fingerprintSha256;
    return await insertOrUnstore(ctx, key, () =>
      ctx.db.transaction(async (tx) => {
        await packagesRepository(tx).insert({
          ...identity,
          originalKey: null,
          signedKey: key,
          certificateFingerprint: fingerprint,
          sizeBytes: size,
        });
        await certificatesRepository(tx).recordSigning(fingerprint, { idLower: identity.idLower, versionLower: identity.versionLower, generation: identity.generation, mode: 'push' });
      }),
    );
  } finally {
    await rm(signedPath, { force: true });
  }
}


/** The NuGet-style 503 a push or download gets when the feed cannot sign (nothing unsigned leaves). */
export function signingUnavailable(id: string, version: string, cause: unknown, action: 'published' | 'served' = 'published'): FeedError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new FeedError(
    'FEED_SIGNING_UNAVAILABLE',
    `Package ${id} ${version} was not ${action}: this feed could not repository-sign it (${reason.replace(/\.$/, '')}). It does not publish or serve unsigned packages in this signing mode. Try again later.`,
    { cause },
  );
}

/** Runs the database insert; when it fails, removes the object just stored so nothing remains. */
async function insertOrUnstore(ctx: FeedContext, key: string, insert: () => Promise<void>): Promise<PackageRecord> {
  try {
    await insert();
  } catch (error) {
    await ctx.store.delete(key);
    throw error;
  }
  const [, idLower = '', versionLower = ''] = key.split('/');
  const record = await packagesRepository(ctx.db).find(idLower, versionLower);
  if (record === undefined) throw new FeedError('FEED_DATABASE_FAILED', `Package ${idLower} ${versionLower} vanished after it was stored.`);
  return record;
}
