// SPDX-License-Identifier: MIT
// SQL for package versions: the only module that reads or writes the `packages` table.

import type { NuspecInfo } from '@reposign/signing';
import { FeedError } from '../errors.js';
import { signingRecordsFrom } from './certificates-repository.js';
import { sqlState, type Queryable } from './database.js';

/** The nuspec fields kept for registration and search documents. */
export type PackageMetadataRecord = Pick<
  NuspecInfo,
  'description' | 'authors' | 'title' | 'summary' | 'tags' | 'projectUrl' | 'iconUrl' | 'licenseUrl' | 'requireLicenseAcceptance' | 'dependencyGroups' | 'packageTypes'
>;

/** One package version as the database holds it. */
export interface PackageRecord {
  readonly idLower: string;
  readonly versionLower: string;
  readonly id: string;
  /** Normalized version, original case, no metadata. */
  readonly version: string;
  /** Normalized version with build metadata. */
  readonly fullVersion: string;
  readonly generation: string;
  /** Storage key of the package as received, kept until it is signed; null when signed at push. */
  readonly originalKey: string | null;
  /** Storage key of our signed copy; null while the package waits for its first download. */
  readonly signedKey: string | null;
  readonly certificateFingerprint: string | null;
  readonly sizeBytes: number | null;
  readonly listed: boolean;
  readonly prerelease: boolean;
  readonly semVer2: boolean;
  readonly metadata: PackageMetadataRecord;
  readonly publishedAt: Date;
  readonly signedAt: Date | null;
}

/** A new row: signed at push (signed fields set) or stored for signing on first download. */
export type NewPackageRecord = Omit<PackageRecord, 'listed' | 'publishedAt' | 'signedAt'>;

interface Row {
  id_lower: string;
  version_lower: string;
  id: string;
  version: string;
  full_version: string;
  generation: string;
  original_key: string | null;
  signed_key: string | null;
  certificate_fingerprint: string | null;
  size_bytes: string | number | null;
  listed: boolean;
  prerelease: boolean;
  semver2: boolean;
  metadata: PackageMetadataRecord | string;
  published_at: Date | string;
  signed_at: Date | string | null;
}

function toRecord(row: Row): PackageRecord {
  return {
    idLower: row.id_lower,
    versionLower: row.version_lower,
    id: row.id,
    version: row.version,
    fullVersion: row.full_version,
    generation: row.generation,
    originalKey: row.original_key,
    signedKey: row.signed_key,
    certificateFingerprint: row.certificate_fingerprint,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    listed: row.listed,
    prerelease: row.prerelease,
    semVer2: row.semver2,
    metadata: typeof row.metadata === 'string' ? (JSON.parse(row.metadata) as PackageMetadataRecord) : row.metadata,
    publishedAt: new Date(row.published_at),
    signedAt: row.signed_at === null ? null : new Date(row.signed_at),
  };
}

/** Filters for a search over the latest versions of each id. */
export interface PackageQuery {
  /** Lowercased text matched against id, title, description and tags; empty matches all. */
  readonly text: string;
  readonly includePrerelease: boolean;
  readonly includeSemVer2: boolean;
  /** True for id-prefix matching (autocomplete) instead of text search. */
  readonly idPrefix: boolean;
}

/** Repository over `packages`; `db` may be the pool or a transaction. */
export interface PackagesRepository {
  /** Inserts a version and returns its row. Throws FEED_PACKAGE_EXISTS when the id and version are taken. */
  insert(record: NewPackageRecord): Promise<PackageRecord>;
  /** Inserts unless the version exists; returns the inserted row, or undefined when it existed. */
  insertIfAbsent(record: NewPackageRecord): Promise<PackageRecord | undefined>;
  /**
   * Inserts a version signed at push unless it exists, and records its certificate's use with it,
   * in one statement; returns the inserted row, or undefined when the version existed (then nothing
   * is recorded).
   */
  insertSignedIfAbsent(record: NewPackageRecord & { readonly signedKey: string; readonly certificateFingerprint: string }): Promise<PackageRecord | undefined>;
  find(idLower: string, versionLower: string): Promise<PackageRecord | undefined>;
  /** Whether the version has a row: a push's check before it signs, which needs no columns. */
  exists(idLower: string, versionLower: string): Promise<boolean>;
  /** Every version of an id, listed or not. */
  listVersions(idLower: string): Promise<PackageRecord[]>;
  /** Versions of every id matching the query, listed only, filtered by prerelease and SemVer level. */
  query(query: PackageQuery): Promise<PackageRecord[]>;
  setListed(idLower: string, versionLower: string, listed: boolean): Promise<boolean>;
  /** Deletes a version; returns the deleted row. */
  delete(idLower: string, versionLower: string): Promise<PackageRecord | undefined>;
  /** Records our signed copy of the given generation (dropping the original key); returns the row, or undefined when it changed meanwhile. */
  markSigned(signing: { idLower: string; versionLower: string; generation: string; signedKey: string; fingerprint: string; sizeBytes: number }): Promise<PackageRecord | undefined>;
  /** Number of versions not (yet) carrying our signature. */
  countUnsigned(): Promise<number>;
  /** The oldest-published signed version whose signature is not by `fingerprint`: the rotation's next step. */
  nextToResign(fingerprint: string): Promise<PackageRecord | undefined>;
  /** How many signed versions are not signed by `fingerprint`: the rotation's remaining work. */
  countToResign(fingerprint: string): Promise<number>;
  /**
   * Points a version at its re-signed copy when it still holds `previousKey`; returns the row, or
   * undefined when it changed meanwhile (deleted, re-pushed or re-signed by another replica).
   */
  markResigned(resign: { idLower: string; versionLower: string; generation: string; previousKey: string; signedKey: string; fingerprint: string; sizeBytes: number }): Promise<PackageRecord | undefined>;
  /** Every storage key any row references. */
  referencedKeys(): Promise<Set<string>>;
}

const COLUMNS =
  'id_lower, version_lower, id, version, full_version, generation, original_key, signed_key, certificate_fingerprint, size_bytes, listed, prerelease, semver2, metadata, published_at, signed_at';

function insertParams(record: NewPackageRecord): unknown[] {
  return [
    record.idLower,
    record.versionLower,
    record.id,
    record.version,
    record.fullVersion,
    record.generation,
    record.originalKey,
    record.signedKey,
    record.certificateFingerprint,
    record.sizeBytes,
    record.prerelease,
    record.semVer2,
    JSON.stringify(record.metadata),
  ];
}

const INSERT = `INSERT INTO packages (id_lower, version_lower, id, version, full_version, generation, original_key, signed_key, certificate_fingerprint, size_bytes, prerelease, semver2, metadata, signed_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, CASE WHEN $8::text IS NULL THEN NULL ELSE now() END)`;

/** Creates the packages repository over `db`. */
export function packagesRepository(db: Queryable): PackagesRepository {
  return {
    async insert(record) {
      try {
        const [row] = await db.query<Row>(`${INSERT} RETURNING ${COLUMNS}`, insertParams(record));
        if (row === undefined) throw new FeedError('FEED_DATABASE_FAILED', `The insert of ${record.id} ${record.version} returned no row.`);
        return toRecord(row);
      } catch (error) {
        if (sqlState(error) === '23505') {
          throw new FeedError('FEED_PACKAGE_EXISTS', `Package ${record.id} ${record.version} already exists.`, { cause: error });
        }
        throw error;
      }
    },
    async insertIfAbsent(record) {
      const [row] = await db.query<Row>(`${INSERT} ON CONFLICT (id_lower, version_lower) DO NOTHING RETURNING ${COLUMNS}`, insertParams(record));
      return row === undefined ? undefined : toRecord(row);
    },
    async insertSignedIfAbsent(record) {
      const [row] = await db.query<Row>(
        `WITH inserted AS (${INSERT} ON CONFLICT (id_lower, version_lower) DO NOTHING RETURNING ${COLUMNS}),
         ${signingRecordsFrom("(SELECT certificate_fingerprint, id_lower, version_lower, generation, 'push' AS mode FROM inserted) AS pushed")}
         SELECT ${COLUMNS} FROM inserted`,
        insertParams(record),
      );
      return row === undefined ? undefined : toRecord(row);
    },
    async find(idLower, versionLower) {
      const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM packages WHERE id_lower = $1 AND version_lower = $2`, [idLower, versionLower]);
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async exists(idLower, versionLower) {
      return (await db.query(`SELECT 1 FROM packages WHERE id_lower = $1 AND version_lower = $2`, [idLower, versionLower])).length > 0;
    },
    async listVersions(idLower) {
      const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM packages WHERE id_lower = $1`, [idLower]);
      return rows.map(toRecord);
    },
    async query(query) {
      const filters = ['listed'];
      const params: unknown[] = [];
      if (!query.includePrerelease) filters.push('NOT prerelease');
      if (!query.includeSemVer2) filters.push('NOT semver2');
      if (query.text !== '') {
        const pattern = query.text.replace(/[\\%_]/g, (char) => `\\${char}`);
        if (query.idPrefix) {
          params.push(`${pattern}%`);
          filters.push(`id_lower LIKE $${params.length}`);
        } else {
          params.push(`%${pattern}%`);
          filters.push(
            `(id_lower LIKE $${params.length} OR lower(metadata->>'title') LIKE $${params.length} OR lower(metadata->>'description') LIKE $${params.length} OR lower(metadata->>'tags') LIKE $${params.length})`,
          );
        }
      }
      const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM packages WHERE ${filters.join(' AND ')} ORDER BY id_lower`, params);
      return rows.map(toRecord);
    },
    async setListed(idLower, versionLower, listed) {
      const rows = await db.query('UPDATE packages SET listed = $3 WHERE id_lower = $1 AND version_lower = $2 RETURNING id_lower', [idLower, versionLower, listed]);
      return rows.length > 0;
    },
    async delete(idLower, versionLower) {
      const rows = await db.query<Row>(`DELETE FROM packages WHERE id_lower = $1 AND version_lower = $2 RETURNING ${COLUMNS}`, [idLower, versionLower]);
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async markSigned(signing) {
      const [row] = await db.query<Row>(
        `UPDATE packages SET signed_key = $4, original_key = NULL, certificate_fingerprint = $5, size_bytes = $6, signed_at = now()
         WHERE id_lower = $1 AND version_lower = $2 AND generation = $3 AND signed_key IS NULL RETURNING ${COLUMNS}`,
        [signing.idLower, signing.versionLower, signing.generation, signing.signedKey, signing.fingerprint, signing.sizeBytes],
      );
      return row === undefined ? undefined : toRecord(row);
    },
    async countUnsigned() {
      const [row] = await db.query<{ count: string | number }>('SELECT count(*) AS count FROM packages WHERE signed_key IS NULL');
      return Number(row?.count ?? 0);
    },
    async nextToResign(fingerprint) {
      const rows = await db.query<Row>(
        `SELECT ${COLUMNS} FROM packages WHERE signed_key IS NOT NULL AND certificate_fingerprint <> $1 ORDER BY published_at, id_lower, version_lower LIMIT 1`,
        [fingerprint],
      );
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async countToResign(fingerprint) {
      const [row] = await db.query<{ count: string | number }>(
        'SELECT count(*) AS count FROM packages WHERE signed_key IS NOT NULL AND certificate_fingerprint <> $1',
        [fingerprint],
      );
      return Number(row?.count ?? 0);
    },
    async markResigned(resign) {
      const [row] = await db.query<Row>(
        `UPDATE packages SET signed_key = $5, certificate_fingerprint = $6, size_bytes = $7, signed_at = now()
         WHERE id_lower = $1 AND version_lower = $2 AND generation = $3 AND signed_key = $4 RETURNING ${COLUMNS}`,
        [resign.idLower, resign.versionLower, resign.generation, resign.previousKey, resign.signedKey, resign.fingerprint, resign.sizeBytes],
      );
      return row === undefined ? undefined : toRecord(row);
    },
    async referencedKeys() {
      const rows = await db.query<{ original_key: string | null; signed_key: string | null }>('SELECT original_key, signed_key FROM packages');
      return new Set(rows.flatMap((row) => [row.original_key, row.signed_key]).filter((key): key is string => key !== null));
    },
  };
}
