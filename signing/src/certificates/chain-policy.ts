// SPDX-License-Identifier: MIT
// What the NuGet client's chain building rejects in a signing certificate's chain (NU3012), as the
// .NET SDK on Linux reports it: InvalidBasicConstraints, NotValidForUsage and NotSignatureValid.
// Time validity of issuers, validity nesting, issuer key sizes and issuer signature hashes are
// ignored by the client (checked against the real client by the certificate-shape corpus).

import { X509Certificate } from 'node:crypto';

import { OID } from '../cms/oids.js';
import type { ParsedCertificate } from './certificate.js';

/** NU codes the client gives for a signing certificate or its chain. */
export type CertificateProblemCode = 'NU3012' | 'NU3013' | 'NU3014' | 'NU3015' | 'NU3017' | 'NU3037';

/** One reason the NuGet client rejects signatures made with a certificate chain. */
export interface CertificateProblem {
  readonly nugetCode: CertificateProblemCode;
  /** A lowercase sentence fragment ("its RSA key has 1024 bits; ..."), without the code. */
  readonly message: string;
}

function name(certificate: ParsedCertificate): string {
  return `'${certificate.subject}'`;
}

/** The issuer at `index` (≥ 1) of `chain`: basic constraints, key usage and path length as OpenSSL checks them. */
function issuerProblems(chain: readonly ParsedCertificate[], index: number): CertificateProblem[] {
  const issuer = chain[index];
  const problems: CertificateProblem[] = [];
  const constraints = issuer.basicConstraints;
  const isRoot = index === chain.length - 1 && issuer.selfIssued;
  // A self-signed root without basicConstraints is accepted; every other issuer must say CA:TRUE.
  if (constraints ? !constraints.ca : !isRoot) {
    problems.push({ nugetCode: 'NU3012', message: `the issuing certificate ${name(issuer)} is not a CA (basicConstraints ${constraints ? 'CA:FALSE' : 'absent'}): InvalidBasicConstraints` });
  }
  if (issuer.keyCertSign === false) {
    problems.push({ nugetCode: 'NU3012', message: `the issuing certificate ${name(issuer)} has a key usage without keyCertSign: InvalidBasicConstraints` });
  }
  // pathLenConstraint counts the non-self-issued CA certificates below this one, the leaf excluded.
  const below = chain.slice(1, index).filter((certificate) => !certificate.selfIssued).length;
  if (constraints?.pathLength !== undefined && below > constraints.pathLength) {
    problems.push({ nugetCode: 'NU3012', message: `the issuing certificate ${name(issuer)} allows ${constraints.pathLength} CA certificates below it, the chain has ${below}: InvalidBasicConstraints` });
  }
  if (!new X509Certificate(Buffer.from(chain[index - 1].der)).verify(issuer.publicKey)) {
    problems.push({ nugetCode: 'NU3012', message: `the signature on ${name(chain[index - 1])} does not verify with its issuer's key: NotSignatureValid` });
  }
  return problems;
}

/**
 * The NU3012 problems of `chain` (leaf first, as far as the issuers are known): every issuer must be
 * a CA whose key usage, if present, includes keyCertSign and whose path length is respected; a lone
 * self-signed certificate that claims CA:TRUE must also allow keyCertSign; every certificate with an
 * EKU extension must list code signing (anyExtendedKeyUsage does not count). Empty when the chain
 * builds for code signing. Never throws.
 */
export function chainBuildingProblems(chain: readonly ParsedCertificate[]): CertificateProblem[] {
  const problems: CertificateProblem[] = [];
  const [leaf] = chain;
  if (!leaf) return problems;
  if (chain.length === 1 && leaf.selfIssued && leaf.basicConstraints?.ca === true && leaf.keyCertSign === false) {
    problems.push({ nugetCode: 'NU3012', message: 'it is self-signed and claims CA:TRUE, but its key usage lacks keyCertSign: InvalidBasicConstraints' });
  }
  for (let index = 1; index < chain.length; index++) problems.push(...issuerProblems(chain, index));
  for (const [index, certificate] of chain.entries()) {
    const ekus = certificate.extendedKeyUsages;
    if (ekus && !ekus.includes(OID.codeSigningEku)) {
      const which = index === 0 ? 'its extended key usage' : `the extended key usage of its issuer ${name(certificate)}`;
      problems.push({ nugetCode: 'NU3012', message: `${which} does not include code signing 1.3.6.1.5.5.7.3.3: NotValidForUsage` });
    }
  }
  return problems;
}

/**
 * The chain of `leaf` through `candidates` (a signature's certificate set): each next certificate
 * is the one whose subject is the current issuer and whose key verifies it, until a self-issued
 * certificate or no issuer is found. The leaf comes first.
 */
export function issuerChain(leaf: ParsedCertificate, candidates: readonly ParsedCertificate[]): ParsedCertificate[] {
  const chain = [leaf];
  for (let current = leaf; !current.selfIssued; ) {
    const subject = Buffer.from(current.issuerNameDer);
    const child = new X509Certificate(Buffer.from(current.der));
    const issuer = candidates.find((candidate) => !chain.includes(candidate) && subject.equals(candidate.subjectNameDer) && child.verify(candidate.publicKey));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}
