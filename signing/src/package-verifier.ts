// SPDX-License-Identifier: MIT
// Inspects and verifies signed packages: integrity, structure, each signer, timestamps and an
// optional fingerprint allow-list — the checks of `dotnet nuget verify --all` that need no trust store.

import { isReposignError, ReposignError } from './errors.js';
import { computePackageHash, PackageArchive, readNuspec } from './archive/index.js';
import { describeCertificate, parseCertificate, type CertificateInfo, type ParsedCertificate } from './certificates/certificate.js';
import { issuerChain } from './certificates/chain-policy.js';
import { signingChainProblems } from './certificates/signing-certificate-policy.js';
import { decodeSignatureContent } from './cms/signature-content.js';
import { findSignerCertificate, type ParsedSignature, type ParsedSignerInfo, type SignatureType } from './cms/signature-reader.js';
import {
  readPackageOwners,
  readServiceIndexUrl,
  readSigningTime,
  timestampTokens,
  verifySignerInfo,
  type VerificationIssue,
} from './cms/signer-verification.js';
import { hashAlgorithmByOid } from './hash-algorithm.js';
import { readPackageSignature, signatureKind, type PackageSignatureKind } from './package-signature.js';
import { readTimestampToken } from './timestamp/index.js';

export type { VerificationIssue };

/** A timestamp as a report shows it. */
export interface TimestampReport {
  readonly genTime: Date;
  readonly tsaSubject: string;
  readonly tsaFingerprintSha256: string;
}

/** One signature (primary or countersignature) as a report shows it. */
export interface SignatureReport {
  readonly placement: 'primary' | 'countersignature';
  readonly type: SignatureType;
  readonly hashAlgorithm: string;
  /** Undefined when the signer certificate is not in the signature (NU3010). */
  readonly certificate: CertificateInfo | undefined;
  readonly signingTime: Date | undefined;
  readonly timestamps: readonly TimestampReport[];
  readonly serviceIndexUrl: string | undefined;
  readonly owners: readonly string[] | undefined;
}

/** What a package is and how it is signed. */
export interface PackageInspection {
  readonly id: string;
  readonly version: string;
  readonly kind: PackageSignatureKind;
  readonly signatures: readonly SignatureReport[];
}

/** The result of verifying one package. */
export interface PackageVerification {
  readonly path: string;
  /** True when no error-level issue was found. */
  readonly valid: boolean;
  readonly issues: readonly VerificationIssue[];
  /** Undefined when the package could not be read at all. */
  readonly inspection: PackageInspection | undefined;
}

interface SignerFindings {
  readonly report: SignatureReport;
  readonly issues: VerificationIssue[];
}

/** The issues of one signer, without the report (used before countersigning an author signature). */
export async function signerIssues(
  signerInfo: ParsedSignerInfo,
  placement: 'primary' | 'countersignature',
  signature: ParsedSignature,
  message: Uint8Array,
): Promise<VerificationIssue[]> {
  return (await examineSigner(signerInfo, placement, signature, message)).issues;
}

/** The certificates of a signature's set that parse; the others cannot be issuers. */
function parseableCertificates(certificates: readonly Uint8Array[]): ParsedCertificate[] {
  return certificates.flatMap((der) => {
    try {
      return [parseCertificate(der)];
    } catch (error) {
      if (isReposignError(error, 'CERTIFICATE_INVALID')) return [];
      throw error;
    }
  });
}

/** How messages name a signature: "primary signature" or "countersignature", never "countersignature signature". */
function signatureLabel(placement: 'primary' | 'countersignature'): string {
  return placement === 'primary' ? 'primary signature' : 'countersignature';
}

/**
 * The certificate-policy issues of a signer at `at`. Expiry (NU3037) is the one verdict that turns on
 * trust: the client only warns when the certificate matches a trustedSigners entry with
 * allowUntrustedRoot="true", and fails otherwise; a pinned certificate (`pinned`) stands for such an entry.
 */
function certificateIssues(chain: readonly ParsedCertificate[], placement: 'primary' | 'countersignature', at: Date, pinned: boolean): VerificationIssue[] {
  return signingChainProblems(chain, at).map((problem) => {
    const message = `The ${signatureLabel(placement)}'s certificate: ${problem.message}.`;
    if (problem.nugetCode !== 'NU3037') return { level: 'error', nugetCode: problem.nugetCode, message };
    const dependsOnTrust = pinned
      ? 'a warning because the certificate is pinned, as the client warns for a trustedSigners entry with allowUntrustedRoot="true"; an error when the root is trusted otherwise'
      : 'an error unless the client trusts the certificate through a trustedSigners entry with allowUntrustedRoot="true" (then a warning; pin it with --certificate-fingerprint to judge so)';
    return { level: pinned ? 'warning' : 'error', nugetCode: problem.nugetCode, message, dependsOnTrust };
  });
}

async function examineSigner(
  signerInfo: ParsedSignerInfo,
  placement: 'primary' | 'countersignature',
  signature: ParsedSignature,
  message: Uint8Array,
  pinnedFingerprints: readonly string[] = [],
): Promise<SignerFindings> {
  const issues: VerificationIssue[] = [];
  const certificate: ParsedCertificate | undefined = findSignerCertificate(signerInfo, signature.certificates);
  const code = placement === 'primary' ? 'NU3011' : 'NU3031';
  if (!certificate) {
    issues.push({ level: 'error', nugetCode: 'NU3010', message: `The ${signatureLabel(placement)}'s signer certificate is not in the signature.` });
  } else {
    issues.push(...verifySignerInfo(signerInfo, certificate, message, code));
  }
  const timestamps: TimestampReport[] = [];
  const tokens = timestampTokens(signerInfo);
  for (const token of tokens) {
    try {
      const read = await readTimestampToken(token, signerInfo.signatureValue);
      const tsa = describeCertificate(read.tsaCertificate);
      timestamps.push({ genTime: read.genTime, tsaSubject: tsa.subject, tsaFingerprintSha256: tsa.fingerprintSha256 });
    } catch (error) {
      if (!isReposignError(error)) throw error;
      issues.push({ level: 'error', nugetCode: error.nugetCode ?? 'NU3021', message: `Timestamp: ${error.message}` });
    }
  }
  if (certificate) {
    const at = timestamps[0]?.genTime ?? new Date();
    const chain = issuerChain(certificate, parseableCertificates(signature.certificates));
    issues.push(...certificateIssues(chain, placement, at, pinnedFingerprints.includes(certificate.fingerprintSha256)));
    // A token that is present but invalid is reported once (NU3021...), not also as a missing timestamp.
    if (tokens.length === 0) {
      issues.push({ level: 'warning', nugetCode: 'NU3027', message: `The ${signatureLabel(placement)} has no timestamp.` });
    }
  }
  let serviceIndexUrl: string | undefined;
  if (signerInfo.type === 'repository') {
    const read = readServiceIndexUrl(signerInfo);
    serviceIndexUrl = read.url;
    if (read.issue) issues.push(read.issue);
  }
  return {
    issues,
    report: {
      placement,
      type: signerInfo.type,
      hashAlgorithm: hashAlgorithmByOid(signerInfo.digestAlgorithmOid)?.name ?? signerInfo.digestAlgorithmOid,
      certificate: certificate ? describeCertificate(certificate.der) : undefined,
      signingTime: readSigningTime(signerInfo),
      timestamps,
      serviceIndexUrl,
      owners: readPackageOwners(signerInfo),
    },
  };
}

/** Reads identity and signatures; `integrity` also hashes the whole package (verify does, inspect need not). */
async function examine(
  archive: PackageArchive,
  integrity: boolean,
  pinnedFingerprints: readonly string[] = [],
): Promise<{ inspection: PackageInspection; issues: VerificationIssue[] }> {
  const nuspec = await readNuspec(archive);
  const signature = await readPackageSignature(archive);
  const kind = signatureKind(signature);
  if (!signature) {
    return {
      inspection: { id: nuspec.id, version: nuspec.version, kind, signatures: [] },
      issues: [{ level: 'error', nugetCode: 'NU3004', message: 'The package is not signed.' }],
    };
  }
  const issues: VerificationIssue[] = [];
  const content = decodeSignatureContent(signature.content);
  if (integrity && !Buffer.from(await computePackageHash(archive, content.hashAlgorithm.name)).equals(content.packageHash)) {
    issues.push({ level: 'error', nugetCode: 'NU3008', message: 'The package integrity check failed: the package was modified after it was signed.' });
  }
  const primary = await examineSigner(signature.primary, 'primary', signature, signature.content, pinnedFingerprints);
  issues.push(...primary.issues);
  const reports = [primary.report];
  const repositoryCounters = signature.countersignatures.filter((counter) => counter.type === 'repository');
  if (repositoryCounters.length > 1) {
    issues.push({ level: 'error', nugetCode: 'NU3032', message: 'The package has more than one repository countersignature.' });
  }
  if (repositoryCounters.length > 0 && signature.primary.type === 'repository') {
    issues.push({ level: 'error', nugetCode: 'NU3033', message: 'A repository primary signature must not have a repository countersignature.' });
  }
  for (const counter of signature.countersignatures) {
    const found = await examineSigner(counter, 'countersignature', signature, signature.primary.signatureValue, pinnedFingerprints);
    issues.push(...found.issues);
    reports.push(found.report);
  }
  return { inspection: { id: nuspec.id, version: nuspec.version, kind, signatures: reports }, issues };
}

/**
 * Reports an open package's identity and signatures without judging them (no integrity hash, so no
 * full read of the package). Throws ReposignError.
 */
export async function inspectArchive(archive: PackageArchive): Promise<PackageInspection> {
  return (await examine(archive, false)).inspection;
}

/** Reads a package and reports its identity and signatures, without judging them. Throws ReposignError. */
export async function inspectPackage(path: string): Promise<PackageInspection> {
  const archive = await PackageArchive.open(path);
  try {
    return await inspectArchive(archive);
  } finally {
    await archive.close();
  }
}

/** Fingerprint allow-list options for verifyPackage. */
export interface VerifyOptions {
  /** SHA-256 fingerprints (hex, any case); when given, at least one signature's certificate must match. */
  readonly certificateFingerprints?: readonly string[] | undefined;
}

/**
 * Verifies a package: zip structure, integrity (NU3008), every signer's attributes, digest and
 * signature value, repository signature rules (NU3032, NU3033, https service index), timestamps and
 * the signing-certificate policy along the chain in the signature (NU3012-NU3017, NU3037). Chain
 * trust is not judged (that needs the client's trust store); the fingerprint allow-list is what pins
 * a repository, and a pinned certificate is judged as the client judges one trusted through
 * allowUntrustedRoot (expiry is then a warning). Issues whose verdict depends on trust settings
 * carry `dependsOnTrust`. Never throws for a bad package: every problem becomes an issue.
 */
export async function verifyPackage(path: string, options: VerifyOptions = {}): Promise<PackageVerification> {
  let archive: PackageArchive | undefined;
  try {
    archive = await PackageArchive.open(path);
    const allowed = (options.certificateFingerprints ?? []).map((fingerprint) => fingerprint.replace(/[:\s]/g, '').toLowerCase());
    const { inspection, issues } = await examine(archive, true, allowed);
    if (allowed.length > 0 && inspection.signatures.length > 0) {
      const matches = inspection.signatures.some(
        (signature) => signature.certificate && allowed.includes(signature.certificate.fingerprintSha256),
      );
      if (!matches) {
        issues.push({ level: 'error', nugetCode: 'NU3034', message: 'No signature was made by a certificate whose fingerprint is in the allowed list.' });
      }
    }
    return { path, valid: !issues.some((issue) => issue.level === 'error'), issues, inspection };
  } catch (error) {
    if (!(error instanceof ReposignError)) throw error;
    const issue: VerificationIssue = { level: 'error', nugetCode: error.nugetCode ?? 'NU3000', message: error.message };
    return { path, valid: false, issues: [issue], inspection: undefined };
  } finally {
    await archive?.close();
  }
}
