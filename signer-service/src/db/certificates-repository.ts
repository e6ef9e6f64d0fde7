// SPDX-License-Identifier: MIT
// SQL for signing certificates and their use: the only module that writes `certificates` and
// `package_signings`. Rows are never deleted.

import type { CertificateInfo } from '@reposign/signing';
import type { Queryable } from './database.js';

/** A certificate that signs, or once signed, packages of this feed (fingerprint: lowercase hex SHA-256 of the DER). */
export interface CertificateRecord
  extends Pick<CertificateInfo, 'fingerprintSha256' | 'subject' | 'issuer' | 'serialNumber' | 'notBefore' | 'notAfter' | 'der'> {
  readonly active: boolean;
}

/** A package version a certificate signed. */
export interface SigningRecord {
  readonly idLower: string;
  readonly versionLower: string;
  readonly generation: string;
  /** When it signed: at push, on first download, or re-signing by the rotation job. */
  readonly mode: 'push' | 'download' | 'rotation';
  readonly signedAt: Date;
}

interface Row {
  fingerprint_sha256: string;
  subject: string;
  issuer: string;
  serial_number: string;
  not_before: Date | string;
  not_after: Date | string;
  der: Uint8Array;
  active: boolean;
}

function toRecord(row: Row): CertificateRecord {
  return {
    fingerprintSha256: row.fingerprint_sha256,
    subject: row.subject,
    issuer: row.issuer,
    serialNumber: row.serial_number,
    notBefore: new Date(row.not_before),
    notAfter: new Date(row.not_after),
    der: new Uint8Array(row.der),
    active: row.active,
  };
}

/** Repository over `certificates` and `package_signings`; `db` may be the pool or a transaction. */
export interface CertificatesRepository {
  /** Records the certificate the service signs with now and marks every other one inactive. */
  activate(certificate: Omit<CertificateRecord, 'active'>): Promise<void>;
  /** Lists a certificate that signs elsewhere (published by the operator); no-op when it is listed already. */
  publish(certificate: Omit<CertificateRecord, 'active'>): Promise<boolean>;
  /** Every certificate, oldest first. */
  list(): Promise<CertificateRecord[]>;
  find(fingerprintSha256: string): Promise<CertificateRecord | undefined>;
  /** Notes that the certificate signed a package version now. */
  recordSigning(fingerprintSha256: string, signing: Omit<SigningRecord, 'signedAt'>): Promise<void>;
  /** The package versions a certificate signed, oldest first. */
  signings(fingerprintSha256: string): Promise<SigningRecord[]>;
}

/** The INSERT parameters ($1..$7) of a certificate. */
function certificateRow(certificate: Omit<CertificateRecord, 'active'>): unknown[] {
  return [
    certificate.fingerprintSha256,
    certificate.subject,
    certificate.issuer,
    certificate.serialNumber,
    certificate.notBefore.toISOString(),
    certificate.notAfter.toISOString(),
    Buffer.from(certificate.der),
  ];
}

/**
 * The common table expression that records signings, for a WITH clause: each row of `rows` (a FROM
 * item with certificate_fingerprint, id_lower, version_lower, generation and mode) becomes a
 * package_signings row. In the statement that writes the package row too, the whole push is one
 * statement: one round trip, atomic without BEGIN/COMMIT. The certificate's row is not written, so
 * concurrent pushes do not queue for its lock: when it was used is in package_signings.
 */
export function signingRecordsFrom(rows: string): string {
  return `recorded AS (INSERT INTO package_signings (certificate_fingerprint, id_lower, version_lower, generation, mode)
      SELECT certificate_fingerprint, id_lower, version_lower, generation, mode FROM ${rows} ON CONFLICT DO NOTHING)`;
}

const COLUMNS = 'fingerprint_sha256, subject, issuer, serial_number, not_before, not_after, der, active';

/** Creates the certificates repository over `db`. */
export function certificatesRepository(db: Queryable): CertificatesRepository {
  return {
    async activate(certificate) {
      await db.query('UPDATE certificates SET active = false WHERE active AND fingerprint_sha256 <> $1', [certificate.fingerprintSha256]);
      await db.query(
        `INSERT INTO certificates (fingerprint_sha256, subject, issuer, serial_number, not_before, not_after, der, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, true)
         ON CONFLICT (fingerprint_sha256) DO UPDATE SET active = true`,
        certificateRow(certificate),
      );
    },
    async publish(certificate) {
      const inserted = await db.query(
        `INSERT INTO certificates (fingerprint_sha256, subject, issuer, serial_number, not_before, not_after, der, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, false)
         ON CONFLICT (fingerprint_sha256) DO NOTHING
         RETURNING fingerprint_sha256`,
        certificateRow(certificate),
      );
      return inserted.length > 0;
    },
    async list() {
      return (await db.query<Row>(`SELECT ${COLUMNS} FROM certificates ORDER BY created_at, fingerprint_sha256`)).map(toRecord);
    },
    async find(fingerprintSha256) {
      const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM certificates WHERE fingerprint_sha256 = $1`, [fingerprintSha256]);
      return row === undefined ? undefined : toRecord(row);
    },
    async recordSigning(fingerprintSha256, signing) {
      // One statement (one round trip): both writes commit or roll back with the caller's transaction.
      await db.query(
        `WITH ${signingRecordsFrom('(VALUES ($1::text, $2::text, $3::text, $4::text, $5::text)) AS signing (certificate_fingerprint, id_lower, version_lower, generation, mode)')} SELECT 1`,
        [fingerprintSha256, signing.idLower, signing.versionLower, signing.generation, signing.mode],
      );
    },
    async signings(fingerprintSha256) {
      const rows = await db.query<{ id_lower: string; version_lower: string; generation: string; mode: SigningRecord['mode']; signed_at: Date | string }>(
        'SELECT id_lower, version_lower, generation, mode, signed_at FROM package_signings WHERE certificate_fingerprint = $1 ORDER BY signed_at',
        [fingerprintSha256],
      );
      return rows.map((row) => ({ idLower: row.id_lower, versionLower: row.version_lower, generation: row.generation, mode: row.mode, signedAt: new Date(row.signed_at) }));
    },
  };
}
