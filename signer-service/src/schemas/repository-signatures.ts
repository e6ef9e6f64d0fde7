// SPDX-License-Identifier: MIT
// Response schema of RepositorySignatures/5.0.0.

import { Type, type Static } from 'typebox';

/** The OID of SHA-256, the key of a certificate's fingerprint. */
export const SHA256_OID = '2.16.840.1.101.3.4.2.1';

/** One certificate clients must accept for the feed's repository signatures. */
export const SigningCertificateEntry = Type.Object({
  fingerprints: Type.Object({ [SHA256_OID]: Type.String() }),
  subject: Type.String(),
  issuer: Type.String(),
  notBefore: Type.String(),
  notAfter: Type.String(),
  contentUrl: Type.String(),
});

/** The repository-signatures index. */
export const RepositorySignaturesIndex = Type.Object({
  allRepositorySigned: Type.Boolean(),
  signingCertificates: Type.Array(SigningCertificateEntry),
});
export type RepositorySignaturesIndex = Static<typeof RepositorySignaturesIndex>;
