// SPDX-License-Identifier: MIT
// The checks the NuGet client applies to a signing certificate (spec §5.5), run before we sign so
// that a key NuGet would reject never produces a published signature.

import { ReposignError } from '../errors.js';
import { ALLOWED_CERTIFICATE_SIGNATURE_ALGORITHMS, OID } from '../cms/oids.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';

export const MINIMUM_RSA_KEY_BITS = 2048;

/** Problems NuGet would report for this signing certificate at `now`; empty when it is acceptable. */
export function signingCertificateProblems(certificate: ParsedCertificate, now = new Date()): string[] {
  const problems: string[] = [];
  if (certificate.keyType !== 'rsa') {
    problems.push(`its key is ${certificate.keyType.toUpperCase()}, but NuGet accepts only RSA keys (NU3014)`);
  } else if (certificate.keyBits < MINIMUM_RSA_KEY_BITS) {
    problems.push(`its RSA key has ${certificate.keyBits} bits; NuGet needs at least ${MINIMUM_RSA_KEY_BITS} (NU3014)`);
  }
  if (!ALLOWED_CERTIFICATE_SIGNATURE_ALGORITHMS.includes(certificate.signatureAlgorithmOid)) {
    problems.push(
      `it is signed with algorithm ${certificate.signatureAlgorithmOid}; NuGet needs sha256/384/512WithRSAEncryption (NU3013)`,
    );
  }
  const ekus = certificate.extendedKeyUsages;
  if (ekus?.includes(OID.lifetimeSigningEku)) problems.push('it has the Lifetime Signing EKU (NU3015)');
  if (ekus && !ekus.includes(OID.codeSigningEku)) {
    problems.push('its extended key usage does not include code signing 1.3.6.1.5.5.7.3.3 (NU3012)');
  }
  if (certificate.notBefore > now) problems.push(`it is not valid before ${certificate.notBefore.toISOString()} (NU3017)`);
  if (certificate.notAfter <= now) problems.push(`it expired on ${certificate.notAfter.toISOString()} (NU3037)`);
  return problems;
}

/** What {@link signingCertificateIssues} checks besides NuGet's rules. */
export interface SigningCertificateCheckOptions {
  readonly now?: Date | undefined;
  /** The certificate must stay valid at least this long after `now` (a feed refuses one about to expire). */
  readonly minimumValidityMs?: number | undefined;
}

/**
 * NuGet's signing-certificate rules for a DER certificate, plus a minimum remaining validity: the
 * problems found, each naming its NU code; empty when the certificate can sign.
 */
export function signingCertificateIssues(der: Uint8Array, options: SigningCertificateCheckOptions = {}): string[] {
  const now = options.now ?? new Date();
  const certificate = parseCertificate(der);
  const problems = signingCertificateProblems(certificate, now);
  const margin = options.minimumValidityMs ?? 0;
  if (certificate.notAfter > now && certificate.notAfter.getTime() - now.getTime() < margin) {
    problems.push(`it expires on ${certificate.notAfter.toISOString()}, within ${Math.round(margin / 60_000)} minutes`);
  }
  return problems;
}

/** Throws CERTIFICATE_INVALID naming every problem when NuGet would reject signatures made with this certificate. */
export function assertSigningCertificate(certificate: ParsedCertificate, now = new Date()): void {
  const problems = signingCertificateProblems(certificate, now);
  if (problems.length > 0) {
    throw new ReposignError(
      'CERTIFICATE_INVALID',
      `The signing certificate '${certificate.subject}' cannot make NuGet signatures: ${problems.join('; ')}.`,
    );
  }
}
