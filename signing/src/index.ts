// SPDX-License-Identifier: MIT
// The signing engine's public API (package `@reposign/signing`), used by the CLI, the feed and the
// operator. Nothing here knows about HTTP, databases or storage. Importing it registers the
// built-in key backends.

import './providers/built-in.js';
import { certificateStoreKeyLoader, type CertificateStoreKeySpec } from './providers/local/certificate-store-key.js';
import { pemKeyLoader, type PemKeySpec } from './providers/local/pem-key.js';
import { pfxKeyLoader, type PfxKeySpec } from './providers/local/pfx-key.js';
import type { SigningKey } from './signing-key.js';

export { BufferPool } from './buffer-pool.js';
export { chunkBuffers } from './archive/piece-stream.js';
export { ReposignError, errorOrigin, hasErrorOrigin, isReposignError, type ErrorCode, type ErrorOrigin } from './errors.js';
export { PackageArchive, computePackageHash, findUnsafeEntryName, parseNuspec, readNuspec } from './archive/index.js';
export type { NuspecDependency, NuspecDependencyGroup, NuspecInfo } from './archive/index.js';
export {
  certificateToPem,
  certificatesFromPem,
  describeCertificate,
  type CertificateInfo,
} from './certificates/certificate.js';
export {
  generateSelfSignedCertificate,
  issueCodeSigningCertificate,
  type CodeSigningCertificateProfile,
  type GeneratedCertificate,
  type SelfSignedCertificateOptions,
  type TbsSigner,
} from './certificates/self-signed-certificate.js';
export {
  formatCertificateProblem,
  signingCertificateIssues,
  signingChainProblems,
  type CertificateProblem,
  type CertificateProblemCode,
  type SigningCertificateCheckOptions,
} from './certificates/signing-certificate-policy.js';
export { exportPfx, type PfxExportOptions } from './providers/local/pfx-export.js';
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
export { registerSigningProvider, signingProvider, signingProviders } from './providers/registry.js';
export {
  ProviderSettingError,
  type ConfigProblem,
  type KeySource,
  type OpenableSigningProvider,
  type OpenContext,
  type ProviderContext,
  type ProviderValidation,
  type ResolvedSecret,
  type SettingsContext,
  type SigningProvider,
  type SigningProviderBase,
  type UnavailableSigningProvider,
} from './providers/signing-provider.js';
export {
  FIELD_METADATA,
  fieldFlag,
  fieldMetadata,
  passwordFields,
  requiredFields,
  requiredOneOf,
  textField,
  unaliased,
  type FieldMetadata,
} from './providers/provider-fields.js';
export { signInputDigest, type SignInput, type SigningKey, type SignOptions } from './signing-key.js';
export { DEFAULT_SIGN_TIMEOUT_MS } from './sign-with-deadline.js';
export { blockPasswordCandidates, resolveCertificatePassword, type PasswordCandidate, type PasswordResolution } from './providers/certificate-password.js';
export type { SelfSignedSettings } from './providers/self-signed/self-signed-provider.js';
export type { StoredCertificateSettings } from './providers/stored-certificate/stored-certificate-provider.js';
export { openStoredCertificateContent, type StoredCertificateContent } from './providers/stored-certificate/stored-content.js';
export type { CertificateStoreKeySpec, PemKeySpec, PfxKeySpec };
export { createTimestamper, readTimestampToken, type Timestamper, type TimestamperOptions, type TimestampToken } from './timestamp/index.js';

/** Opens a PEM certificate (and chain) with its private key. */
export function openPemKey(spec: PemKeySpec): Promise<SigningKey> {
  return pemKeyLoader.open(spec);
}

/** Opens a PKCS#12 file's key and certificates. */
export function openPfxKey(spec: PfxKeySpec): Promise<SigningKey> {
  return pfxKeyLoader.open(spec);
}

/** Opens a key by thumbprint from a .NET-style certificate store directory. */
export function openCertificateStoreKey(spec: CertificateStoreKeySpec): Promise<SigningKey> {
  return certificateStoreKeyLoader.open(spec);
}
