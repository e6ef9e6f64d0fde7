// SPDX-License-Identifier: MIT
// Object identifiers the RFC 3161 client reads or writes (spec §1 and §7).

/** CMS signedData content type. */
export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
/** id-ct-TSTInfo: the eContentType of every timestamp token. */
export const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
/** ESS signing-certificate (v1, SHA-1 certificate hashes). */
export const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
/** ESS signing-certificate-v2 (SHA-2 certificate hashes). */
export const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
/** id-kp-timeStamping extended key usage. */
export const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
/** X.509 extended key usage extension. */
export const OID_EXTENDED_KEY_USAGE = '2.5.29.37';
/** X.509 subject key identifier extension. */
export const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
/** Certificate signature algorithms NuGet accepts for a TSA certificate: sha256/384/512WithRSAEncryption. */
export const TSA_CERTIFICATE_SIGNATURE_OIDS: ReadonlySet<string> = new Set([
  '1.2.840.113549.1.1.11',
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
]);
