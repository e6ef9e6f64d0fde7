// SPDX-License-Identifier: MIT
// The certificate record the operator publishes for each signing certificate it provisions: the
// fields the feed's repository-signatures index lists. Certificate parsing comes from the signing engine
// through its package export; the operator holds no crypto of its own.

import { describeCertificate } from '@reposign/signing';

/** One published signing certificate, as the RepositorySigner status and the feed's index show it. */
export interface CertificateRecord {
  /** Lowercase hex SHA-256 of the DER: the index key and the `/v3/certificates/{fingerprint}.crt` name. */
  readonly fingerprintSha256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
}

/** Builds the record of a DER certificate. Throws the engine's CERTIFICATE_INVALID for bytes that are not one. */
export function certificateRecord(der: Uint8Array): CertificateRecord {
  const info = describeCertificate(der);
  return {
    fingerprintSha256: info.fingerprintSha256,
    subject: info.subject,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
  };
}
