// SPDX-License-Identifier: MIT
// Download: serve our signed copy, signing a package stored unsigned on its first download exactly
// once (an in-process single flight, plus a database advisory lock across replicas).

import type { Session } from '../db/database.js';
import { packagesRepository, type PackageRecord } from '../db/packages-repository.js';
import { FeedError } from '../errors.js';
import type { FlatContainerVersions } from '../schemas/flat-container.js';
import { sortByVersion } from '../nuget/search-documents.js';
import type { StoredObject } from '../storage/package-store.js';
import { ServedRecords } from './served-records.js';
import { storageFaultOf } from './storage-faults.js';
import type { FeedContext } from './feed-context.js';
import { storeSignedGeneration } from './signed-generation.js';
import { applySigningFailurePolicy } from './signing-failure-policy.js';

/** A package opened for download. */
export interface PackageDownload extends StoredObject {
  readonly record: PackageRecord;
}

/** Serves packages, signing on demand. One instance per feed process. */
export class DownloadService {
  private readonly inFlight = new Map<string, Promise<PackageRecord>>();
  /** Rows of signed versions served lately: downloading a package again skips the database. */
  private readonly served = new ServedRecords();

  constructor(private readonly ctx: FeedContext) {}

  /**
   * Opens the signed package, signing it first if it is stored unsigned. Returns undefined for an
   * unknown version. When signing fails it throws FEED_SIGNING_UNAVAILABLE (503) and never serves
   * the unsigned bytes, except in SelfSigned mode with AllowUnsignedOnFailure, which serves them.
   */
  async openPackage(idLower: string, versionLower: string): Promise<PackageDownload | undefined> {
    const served = this.served.get(idLower, versionLower);
    if (served !== undefined && served.signedKey !== null) {
      const opened = await this.ctx.store.open(served.signedKey);
      if (opened !== undefined) return { ...opened, record: served };
      // Its object is gone: the version was deleted, re-signed or re-pushed. Read the row again.
      this.served.forget(idLower, versionLower);
    }
    let record = await packagesRepository(this.ctx.db).find(idLower, versionLower);
    // A concurrent hard delete can remove the object between the read and the open; one retry
    // settles it (the row is then gone too, or points to the re-pushed generation).
    for (let attempt = 0; attempt < 2 && record !== undefined; attempt++) {
      const signed = record.signedKey === null ? await this.signOrFallBack(record) : record;
      const servedKey = signed.signedKey ?? signed.originalKey;
      const opened = servedKey === null ? undefined : await this.ctx.store.open(servedKey);
      if (opened !== undefined) {
        if (signed.signedKey !== null) this.served.remember(signed);
        return { ...opened, record: signed };
      }
      record = await packagesRepository(this.ctx.db).find(idLower, versionLower);
    }
    return undefined;
  }

  /**
   * The flat container's versions index of an id: every version, listed or not, as version keys in
   * NuGet order. Throws FEED_PACKAGE_NOT_FOUND for an unknown id.
   */
  async versionsIndex(id: string): Promise<FlatContainerVersions> {
    const records = await packagesRepository(this.ctx.db).listVersions(id.toLowerCase());
    if (records.length === 0) throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${id} was not found.`);
    return { versions: sortByVersion(records).map((record) => record.versionLower) };
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
      // A full or broken volume is the server's fault, not the signing's: never serve unsigned for it.
      const fault = storageFaultOf(error, 'signed for download');
      if (fault !== undefined) throw fault;
      applySigningFailurePolicy(this.ctx.signing, { id: record.id, version: record.version, action: 'served' }, error);
      return record;
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
    const deleted = (): FeedError => new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${record.id} ${record.version} was deleted.`);
    const current = await packagesRepository(session).find(record.idLower, record.versionLower);
    if (current === undefined) throw deleted();
    const { originalKey } = current;
    // Another replica signed it, or the version was re-pushed meanwhile.
    if (current.generation !== record.generation || current.signedKey !== null || originalKey === null) return current;
    const signed = await storeSignedGeneration(this.ctx, session, { mode: 'download', record: { ...current, originalKey } });
    if (signed === undefined) throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${record.id} ${record.version} was deleted while it was being signed.`);
    return signed;
  }
}
