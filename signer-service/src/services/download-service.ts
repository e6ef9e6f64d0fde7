// SPDX-License-Identifier: MIT
// Download: serve our signed copy, signing a package stored unsigned on its first download exactly
// once (an in-process single flight, plus a database advisory lock across replicas).

import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { certificatesRepository } from '../db/certificates-repository.js';
import type { Session } from '../db/database.js';
import { packagesRepository, type PackageRecord } from '../db/packages-repository.js';
import { isReposignError } from '@reposign/signing';
import { FeedError } from '../errors.js';
import { packageKeys, type StoredObject } from '../storage/package-store.js';
import { secondsSince, type FeedContext } from './feed-context.js';
import type { SignOutcome } from './feed-signer.js';
import { signingUnavailable } from './publish-service.js';

/** A package opened for download. */
export interface PackageDownload extends StoredObject {
  readonly record: PackageRecord;
}

/** Serves packages, signing on demand. One instance per feed process. */
export class DownloadService {
  private readonly inFlight = new Map<string, Promise<PackageRecord>>();

  constructor(private readonly ctx: FeedContext) {}

  /**
   * Opens the signed package, signing it first if it is stored unsigned. Returns undefined for an
   * unknown version. When signing fails it throws FEED_SIGNING_UNAVAILABLE (503) and never serves
   * the unsigned bytes, except in SelfSigned mode with AllowUnsignedOnFailure, which serves them.
   */
  async openPackage(idLower: string, versionLower: string): Promise<PackageDownload | undefined> {
    let record = await packagesRepository(this.ctx.db).find(idLower, versionLower);
    // A concurrent hard delete can remove the object between the read and the open; one retry
    // settles it (the row is then gone too, or points to the re-pushed generation).
    for (let attempt = 0; attempt < 2 && record !== undefined; attempt++) {
      const signed = record.signedKey === null ? await this.signOrFallBack(record) : record;
      const servedKey = signed.signedKey ?? signed.originalKey;
      const opened = servedKey === null ? undefined : await this.ctx.store.open(servedKey);
      if (opened !== undefined) return { ...opened, record: signed };
      record = await packagesRepository(this.ctx.db).find(idLower, versionLower);
    }
    return undefined;
  }

  /** Reads the nuspec of a stored package (signed or not); undefined for an unknown version. */
  async readNuspec(idLower: string, versionLower: string): Promise<string | undefined> {
    const record = await packagesRepository(this.ctx.db).find(idLower, versionLower);
    const key = record?.signedKey ?? record?.originalKey;
    if (key === undefined || key === null || !(await this.ctx.store.exists(key))) return undefined;
    return this.ctx.store.withLocalFile(key, (path) => this.ctx.signer.readNuspecXml(path));
  }

  /** Signs `record`, or applies the failure policy when signing fails. */
  private async signOrFallBack(record: PackageRecord): Promise<PackageRecord> {
    try {
      return await this.ensureSigned(record);
    } catch (error) {
      if (!isReposignError(error) || ['FEED_PACKAGE_NOT_FOUND', 'ARCHIVE_', 'NUSPEC_', 'SIGNATURE_'].some((code) => error.code.startsWith(code))) throw error;
      if (this.ctx.signing.mode === 'SelfSigned' && this.ctx.signing.allowUnsignedOnFailure) return record;
      throw signingUnavailable(record.id, record.version, error, 'served');
    }
  }

  /** Signs `record` once, however many callers ask at the same time. */
  private ensureSigned(record: PackageRecord): Promise<PackageRecord> {
    const flightKey = `${record.idLower}/${record.versionLower}/${record.generation}`;
    let flight = this.inFlight.get(flightKey);
    if (flight === undefined) {
      flight = this.ctx.db
        .withAdvisoryLock(`reposign:sign:${flightKey}`, (session) => this.signUnderLock(session, record))
        .finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, flight);
    }
    return flight;
  }

  private async signUnderLock(session: Session, record: PackageRecord): Promise<PackageRecord> {
    const packages = packagesRepository(session);
    const current = await packages.find(record.idLower, record.versionLower);
    // Another replica signed it, or the version was deleted or re-pushed meanwhile.
    if (current === undefined || current.generation !== record.generation || current.signedKey !== null || current.originalKey === null) {
      if (current === undefined) throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${record.id} ${record.version} was deleted.`);
      return current;
    }
    const originalKey = current.originalKey;
    const signedPath = join(this.ctx.store.tempDir, `${randomUUID()}.signed.nupkg`);
    const started = process.hrtime.bigint();
    try {
      let outcome: SignOutcome;
      try {
        outcome = await this.ctx.store.withLocalFile(originalKey, (path) => this.ctx.signer.sign(path, signedPath));
        this.ctx.metrics.signing('download', 'ok', secondsSince(started));
      } catch (error) {
        this.ctx.metrics.signing('download', 'error', secondsSince(started));
        throw error;
      }
      const { size } = await stat(signedPath);
      const signedKey = packageKeys.signed(current.idLower, current.versionLower, current.generation);
      await this.ctx.store.putFile(signedKey, signedPath);
      const fingerprint = outcome.certificate.fingerprintSha256;
      const marked = await session.transaction(async (tx) => {
        const ok = await packagesRepository(tx).markSigned({
          idLower: current.idLower,
          versionLower: current.versionLower,
          generation: current.generation,
          signedKey,
          fingerprint,
          sizeBytes: size,
        });
        if (ok) await certificatesRepository(tx).recordSigning(fingerprint, { idLower: current.idLower, versionLower: current.versionLower, generation: current.generation, mode: 'download' });
        return ok;
      });
      if (!marked) {
        await this.ctx.store.delete(signedKey);
        throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${record.id} ${record.version} was deleted while it was being signed.`);
      }
      await this.ctx.store.delete(originalKey);
      const signed = await packages.find(current.idLower, current.versionLower);
      if (signed === undefined) throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${record.id} ${record.version} was deleted.`);
      return signed;
    } finally {
      await rm(signedPath, { force: true });
    }
  }
}
