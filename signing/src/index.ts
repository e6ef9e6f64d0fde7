// SPDX-License-Identifier: MIT
// The signing engine's public API (package export `@reposign/signer-service/signing`), used by the
// CLI, the feed and the operator. Nothing here knows about HTTP, databases or storage.

import type { CertificateStoreKeySpec } from './providers/certificate-store/certificate-store-provider.js';
import type { PemKeySpec } from './providers/pem/pem-provider.js';
import type { PfxKeySpec } from './providers/pfx/pfx-provider.js';
import { signingProvider } from './providers/index.js';
import type { SigningKey } from './providers/signing-key.js';

export { ReposignError, errorOrigin, hasErrorOrigin, isReposignError, type ErrorCode, type ErrorOrigin } from './errors.js';
export { PackageArchive, computePackageHash, findUnsafeEntryName, readNuspec } from './archive/index.js';
export {
  certificateToPem,
  certificatesFromPem,
  describeCertificate,
  type CertificateInfo,
} from './certificates/certificate.js';
export {
  generateSelfSignedCertificate,
  type GeneratedCertificate,
  type SelfSignedCertificateOptions,
} from './certificates/self-signed-certificate.js';
export { signingCertificateIssues, type SigningCertificateCheckOptions } from './certificates/signing-certificate-policy.js';
export { exportPfx, type PfxExportOptions } from './providers/pfx/pfx-export.js';
export { parseHashAlgorithm, type HashAlgorithmName } from './hash-algorithm.js';
export { repositorySignPackage, type RepositorySignOptions, type RepositorySignResult } from './package-signer.js';
export type { PackageSignatureKind } from './package-signature.js';
export {
  inspectArchive,
  inspectPackage,
  verifyPackage,
  type PackageInspection,
  type PackageVerification,
  type SignatureReport,
  type TimestampReport,
  type VerificationIssue,
  type VerifyOptions,
} from './package-verifier.js';
export { signingProvider, type SigningProviderKind, type SigningProviderSpecs } from './providers/index.js';
export type { KeySpecProblem, SigningKey, SigningProvider } from './providers/signing-key.js';
export type { CertificateStoreKeySpec, PemKeySpec, PfxKeySpec };
export { createTimestamper, readTimestampToken, type Timestamper, type TimestamperOptions, type TimestampToken } from './timestamp/index.js';

/** Opens a PEM certificate (and chain) with its private key. */
export function openPemKey(spec: PemKeySpec): Promise<SigningKey> {
  return signingProvider('pem').open(spec);
}

/** Opens a PKCS#12 file's key and certificates. */
export function openPfxKey(spec: PfxKeySpec): Promise<SigningKey> {
  return signingProvider('pfx').open(spec);
}

/** Opens a key by thumbprint from a .NET-style certificate store directory. */
export function openCertificateStoreKey(spec: CertificateStoreKeySpec): Promise<SigningKey> {
  return signingProvider('certificate-store').open(spec);
}
