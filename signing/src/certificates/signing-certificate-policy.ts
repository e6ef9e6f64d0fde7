// SPDX-License-Identifier: MIT
// The one signing-certificate policy, mirroring the NuGet client (spec §5.5, settled against the
// .NET SDK by the certificate-shape corpus): the signing-time checks of the leaf (NU3013, NU3014,
// NU3015, NU3017), chain building (NU3012) and expiry (NU3037). `reposign sign`, the feed at
// startup and reload, the verifier and the operator all judge certificates through this module.

import { ReposignError } from '../errors.js';
import { ALLOWED_CERTIFICATE_SIGNATURE_ALGORITHMS, OID } from '../cms/oids.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';
import { chainBuildingProblems, type CertificateProblem } from './chain-policy.js';

export type { CertificateProblem, CertificateProblemCode } from './chain-policy.js';

export const MINIMUM_RSA_KEY_BITS = 2048;

/** The leaf's own checks, in the order the client makes them (VerificationUtility.ValidateSigningCertificate). */
function leafProblems(certificate: ParsedCertificate, now: Date): CertificateProblem[] {
  const problems: CertificateProblem[] = [];
  if (!ALLOWED_CERTIFICATE_SIGNATURE_ALGORITHMS.includes(certificate.signatureAlgorithmOid)) {
    problems.push({ nugetCode: 'NU3013', message: `it is signed with algorithm ${certificate.signatureAlgorithmOid}; NuGet needs sha256/384/512WithRSAEncryption` });
  }
  if (certificate.keyType !== 'rsa') {
    problems.push({ nugetCode: 'NU3014', message: `its key is ${certificate.keyType.toUpperCase()}, but NuGet accepts only RSA keys` });
  } else if (certificate.keyBits < MINIMUM_RSA_KEY_BITS) {
    problems.push({ nugetCode: 'NU3014', message: `its RSA key has ${certificate.keyBits} bits; NuGet needs at least ${MINIMUM_RSA_KEY_BITS}` });
  }
  if (certificate.extendedKeyUsages?.includes(OID.lifetimeSigningEku)) problems.push({ nugetCode: 'NU3015', message: 'it has the Lifetime Signing EKU' });
  if (certificate.notBefore > now) problems.push({ nugetCode: 'NU3017', message: `it is not valid before ${certificate.notBefore.toISOString()}` });
  return problems;
}

/** The expiry check, which the client makes last and whose severity depends on trust (see the verifier). */
function expiryProblem(certificate: ParsedCertificate, now: Date): CertificateProblem[] {
  return certificate.notAfter <= now ? [{ nugetCode: 'NU3037', message: `it expired on ${certificate.notAfter.toISOString()}` }] : [];
}

/**
 * Every problem the NuGet client finds with signatures made by `chain[0]` at `now`, `chain` running
 * from the signing certificate up its issuers (as far as they are known), in the client's order:
 * the first problem's code is the one the client reports. Empty when the client accepts the chain.
 */
export function signingChainProblems(chain: readonly ParsedCertificate[], now = new Date()): CertificateProblem[] {
  const [leaf] = chain;
  if (!leaf) return [];
  return [...leafProblems(leaf, now), ...chainBuildingProblems(chain), ...expiryProblem(leaf, now)];
}

/** A problem as one line: the message followed by its code in parentheses. */
export function formatCertificateProblem(problem: CertificateProblem): string {
  return `${problem.message} (${problem.nugetCode})`;
}

// The order this function has always listed problems in; callers match on the codes.
const LISTING_ORDER = ['NU3014', 'NU3013', 'NU3015', 'NU3012', 'NU3017', 'NU3037'];

/** Problems NuGet would report for this signing certificate alone at `now`, each ending in its NU code; empty when it is acceptable. */
export function signingCertificateProblems(certificate: ParsedCertificate, now = new Date()): string[] {
  return signingChainProblems([certificate], now)
    .sort((a, b) => LISTING_ORDER.indexOf(a.nugetCode) - LISTING_ORDER.indexOf(b.nugetCode))
    .map(formatCertificateProblem);
}

/** What {@link signingCertificateIssues} checks besides NuGet's rules. */
export interface SigningCertificateCheckOptions {
  readonly now?: Date | undefined;
  /** The certificate must stay valid at least this long after `now` (a feed refuses one about to expire). */
  readonly minimumValidityMs?: number | undefined;
}

/**
 * NuGet's signing-certificate rules for a DER certificate, or a DER chain with the signing
 * certificate first, plus a minimum remaining validity: the problems found, each ending in its NU
 * code; empty when the certificate can sign. Throws CERTIFICATE_INVALID for bytes that are not a certificate.
 */
export function signingCertificateIssues(der: Uint8Array | readonly Uint8Array[], options: SigningCertificateCheckOptions = {}): string[] {
  const now = options.now ?? new Date();
  const chain = (der instanceof Uint8Array ? [der] : der).map(parseCertificate);
  const problems = signingChainProblems(chain, now).map(formatCertificateProblem);
  const [leaf] = chain;
  const margin = options.minimumValidityMs ?? 0;
  if (leaf && leaf.notAfter > now && leaf.notAfter.getTime() - now.getTime() < margin) {
    problems.push(`it expires on ${leaf.notAfter.toISOString()}, within ${Math.round(margin / 60_000)} minutes`);
  }
  return problems;
}

/**
 * Throws CERTIFICATE_INVALID naming every problem when NuGet would reject signatures made with this
 * chain (signing certificate first); the error's `nugetCode` is the code the client reports.
 */
export function assertSigningCertificate(chain: ParsedCertificate | readonly ParsedCertificate[], now = new Date()): void {
  const certificates: readonly ParsedCertificate[] = 'der' in chain ? [chain] : chain;
  const problems = signingChainProblems(certificates, now);
  const [first] = problems;
  if (first) {
    throw new ReposignError(
      'CERTIFICATE_INVALID',
      `The signing certificate '${certificates[0].subject}' cannot make NuGet signatures: ${problems.map(formatCertificateProblem).join('; ')}.`,
      { nugetCode: first.nugetCode },
    );
  }
}
