// SPDX-License-Identifier: MIT
// The orchestration of repository signing: classify → strip → sign → timestamp → write (spec §6.4).

import { ReposignError } from './errors.js';
import { PackageArchive, readNuspec, writeSignedPackage } from './archive/index.js';
import { certificateInfo, parseCertificate, type CertificateInfo, type ParsedCertificate } from './certificates/certificate.js';
import { assertSigningCertificate } from './certificates/signing-certificate-policy.js';
import { addRepositoryCountersignature } from './cms/countersignature.js';
import type { ParsedSignature } from './cms/signature-reader.js';
import { createRepositoryPrimarySignature } from './cms/primary-signature.js';
import type { RepositorySignatureRequest } from './cms/repository-signer.js';
import { decodeSignatureContent } from './cms/signature-content.js';
import type { HashAlgorithmName } from './hash-algorithm.js';
import { readPackageSignature, signatureKind, type PackageSignatureKind } from './package-signature.js';
import { signerIssues } from './package-verifier.js';
import type { SigningKey } from './signing-key.js';
import type { Timestamper } from './timestamp/index.js';

/** How to repository-sign. */
export interface RepositorySignOptions {
  readonly key: SigningKey;
  /** Absolute https URL of the feed's service index, written into the signature. */
  readonly serviceIndexUrl: string;
  /** Package hash, signer digest and ESSCertIDv2 hash; default SHA256. */
  readonly hashAlgorithm?: HashAlgorithmName | undefined;
  readonly packageOwners?: readonly string[] | undefined;
  /** Omit to sign without a timestamp. */
  readonly timestamper?: Timestamper | undefined;
  /** Signing time written into the signature; default now. */
  readonly signingTime?: Date | undefined;
  /** Milliseconds the key may take per signature before SIGNING_TIMEOUT; default 30 s. */
  readonly signTimeoutMs?: number | undefined;
  /** Cancels the signing (SIGNING_ABORTED); nothing is written. */
  readonly signal?: AbortSignal | undefined;
}

/** What signing did. */
export interface RepositorySignResult {
  /** Package id and version as the nuspec states them. */
  readonly id: string;
  readonly version: string;
  readonly before: PackageSignatureKind;
  readonly after: PackageSignatureKind;
  /** 'primary' on unsigned and repository-signed input, 'countersignature' on author-signed input. */
  readonly placement: 'primary' | 'countersignature';
  readonly certificate: CertificateInfo;
  /** Size in bytes of the signed package written to the output path. */
  readonly sizeBytes: number;
}

const parsedChains = new WeakMap<SigningKey, readonly ParsedCertificate[]>();

/** The key's chain, parsed once per key: a feed signs many packages with one key. */
function parsedChain(key: SigningKey): readonly ParsedCertificate[] {
  let chain = parsedChains.get(key);
  if (!chain) {
    const der = key.certificateChain();
    if (der.length === 0) throw new ReposignError('CERTIFICATE_INVALID', `The ${key.kind} key has no certificate.`);
    chain = der.map(parseCertificate);
    parsedChains.set(key, chain);
  }
  return chain;
}

/** Per key, the span of time over which its chain is known to be acceptable: [from, until) in ms. */
const acceptedChains = new WeakMap<SigningKey, { readonly from: number; readonly until: number }>();

/**
 * Throws like assertSigningCertificate when NuGet would reject signatures made with the key's chain
 * now. The verdict depends on the time only through the certificates' validity periods, so once the
 * chain passes it holds until the next of their start or end times: the checks (and the issuer
 * signature verifications among them) run again only then.
 */
function assertChainAccepted(key: SigningKey, chain: readonly ParsedCertificate[]): void {
  const now = Date.now();
  const accepted = acceptedChains.get(key);
  if (accepted && now >= accepted.from && now < accepted.until) return;
  assertSigningCertificate(chain, new Date(now));
  const boundaries = chain.flatMap((certificate) => [certificate.notBefore.getTime(), certificate.notAfter.getTime()]);
  acceptedChains.set(key, {
    from: Math.max(-Infinity, ...boundaries.filter((boundary) => boundary <= now)),
    until: Math.min(Infinity, ...boundaries.filter((boundary) => boundary > now)),
  });
}

/**
 * Countersigning a broken author signature would publish a package the client rejects: check the
 * author's signer (certificate, attributes, digest, signature value, timestamps) first. An expired
 * author certificate is not a reason to refuse: a timestamped repository countersignature is what
 * keeps such a package valid (spec §7.3).
 */
async function assertAuthorSignatureValid(signature: ParsedSignature): Promise<void> {
  let problems: string[];
  try {
    problems = (await signerIssues(signature.primary, 'primary', signature, signature.content))
      .filter((issue) => issue.level === 'error' && issue.nugetCode !== 'NU3037')
      .map((issue) => `${issue.nugetCode}: ${issue.message}`);
  } catch (error) {
    if (!(error instanceof ReposignError)) throw error;
    problems = [error.message];
  }
  if (problems.length > 0) {
    throw new ReposignError('SIGNATURE_INVALID', `The author signature is invalid, so it cannot be countersigned: ${problems.join(' ')}`, {
      nugetCode: 'NU3012',
    });
  }
}

/**
 * Repository-signs the package at `input` (a path, or a PackageArchive the caller opened and closes)
 * and writes the result to `outputPath` (which may be the input's path): a primary signature on an unsigned package, a countersignature on an
 * author-signed one (after removing any repository countersignature, NuGet.org's included), and a
 * fresh primary signature in place of an existing repository primary. The author's bytes are kept.
 * The zip and its nuspec are validated first; before countersigning, the author signature's package hash is checked
 * against the bytes so that a tampered package is never re-signed. Nothing is written on failure.
 * Throws ReposignError.
 */
export async function repositorySignPackage(
  input: string | PackageArchive,
  outputPath: string,
  options: RepositorySignOptions,
): Promise<RepositorySignResult> {
  const hash = options.hashAlgorithm ?? 'SHA256';
  const chain = parsedChain(options.key);
  assertChainAccepted(options.key, chain);
  const request: RepositorySignatureRequest = {
    key: options.key,
    chain,
    hash,
    serviceIndexUrl: options.serviceIndexUrl,
    packageOwners: options.packageOwners,
    timestamper: options.timestamper,
    signingTime: options.signingTime ?? new Date(),
    deadline: { timeoutMs: options.signTimeoutMs, signal: options.signal },
  };

  // Nothing read from an archive opened here outlives this call: its memory serves the next signing.
  const archive = typeof input === 'string' ? await PackageArchive.open(input, { reuseMemory: true }) : input;
  try {
    // A zip without a readable root nuspec is not a package: refuse it rather than sign it.
    const { id, version } = await readNuspec(archive);
    const existing = await readPackageSignature(archive);
    const before = signatureKind(existing);
    const certificate = certificateInfo(chain[0]);
    if (existing && existing.primary.type !== 'repository') {
      await assertAuthorSignatureValid(existing);
      const content = decodeSignatureContent(existing.content);
      const sizeBytes = await writeSignedPackage(archive, outputPath, content.hashAlgorithm.name, async (packageHash) => {
        if (!Buffer.from(packageHash).equals(content.packageHash)) {
          throw new ReposignError(
            'SIGNATURE_INTEGRITY',
            'The package does not match its author signature (the package hash differs): it was modified after signing.',
            { nugetCode: 'NU3008' },
          );
        }
        return addRepositoryCountersignature(existing, request);
      });
      return { id, version, before, after: 'author+repository', placement: 'countersignature', certificate, sizeBytes };
    }
    const sizeBytes = await writeSignedPackage(archive, outputPath, hash, (packageHash) => createRepositoryPrimarySignature(packageHash, request));
    return { id, version, before, after: 'repository', placement: 'primary', certificate, sizeBytes };
  } finally {
    if (archive !== input) await archive.close();
  }
}
