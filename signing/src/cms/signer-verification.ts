// SPDX-License-Identifier: MIT
// Checks one SignerInfo the way NuGet's client does (spec §5, §6): certificate, signed attributes,
// message digest and signature value. Returns findings instead of throwing, so a report lists them all.

import { createHash, verify } from 'node:crypto';

import type { ParsedCertificate } from '../certificates/certificate.js';
import { hashAlgorithmByOid } from '../hash-algorithm.js';
import { children, readOid, readTime, readTlv, retag, tlvBytes, tlvContent, TAG } from './der.js';
import { OID } from './oids.js';
import { findAttribute, type ParsedSignerInfo } from './signature-reader.js';

/** One problem found while verifying, with the NuGet code the client would report. */
export interface VerificationIssue {
  readonly level: 'error' | 'warning';
  readonly nugetCode: string;
  readonly message: string;
  /**
   * Set when the client's verdict on this issue depends on trust settings reposign cannot see
   * (trustedSigners, allowUntrustedRoot, the SDK's trust bundles): what the client does instead.
   */
  readonly dependsOnTrust?: string | undefined;
}

const RSA_SIGNATURE_ALGORITHMS = new Set<string>([OID.rsaEncryption, OID.sha256WithRsa, OID.sha384WithRsa, OID.sha512WithRsa]);

function singleValue(signerInfo: ParsedSignerInfo, oid: string): Uint8Array | undefined {
  const attribute = findAttribute(signerInfo.signedAttributes, oid);
  if (!attribute || attribute.values.length !== 1) return undefined;
  return tlvBytes(attribute.values[0]);
}

/** signing-certificate-v2 must exist once, v1 must not, and the first ESSCertIDv2 must name `certificate` (spec §5.2.1). */
function signingCertificateIssues(signerInfo: ParsedSignerInfo, certificate: ParsedCertificate, code: string): VerificationIssue[] {
  if (findAttribute(signerInfo.signedAttributes, OID.signingCertificate)) {
    return [{ level: 'error', nugetCode: code, message: 'The signature carries the forbidden signing-certificate (v1) attribute.' }];
  }
  const value = singleValue(signerInfo, OID.signingCertificateV2);
  if (!value) {
    return [{ level: 'error', nugetCode: code, message: 'The signing-certificate-v2 attribute is missing or has several values.' }];
  }
  const [certs] = children(readTlv(value));
  const first = certs ? children(certs)[0] : undefined;
  if (!first) return [{ level: 'error', nugetCode: code, message: 'signing-certificate-v2 names no certificate.' }];
  const fields = children(first);
  let index = 0;
  let hashOid: string = '2.16.840.1.101.3.4.2.1';
  if (fields[0]?.tag === TAG.SEQUENCE) hashOid = readOid(children(fields[index++])[0]);
  const algorithm = hashAlgorithmByOid(hashOid);
  const certHash = fields[index++];
  const issuerSerial = fields[index];
  if (!algorithm || !certHash) {
    return [{ level: 'error', nugetCode: code, message: 'signing-certificate-v2 uses a hash NuGet does not allow.' }];
  }
  const expected = createHash(algorithm.nodeName).update(certificate.der).digest();
  if (!expected.equals(tlvContent(certHash))) {
    return [{ level: 'error', nugetCode: code, message: 'signing-certificate-v2 does not match the signing certificate.' }];
  }
  if (!issuerSerial) {
    return [{ level: 'error', nugetCode: code, message: 'signing-certificate-v2 has no issuerSerial.' }];
  }
  const [, serial] = children(issuerSerial);
  if (!serial || !Buffer.from(tlvContent(serial)).equals(certificate.serialContent)) {
    return [{ level: 'error', nugetCode: code, message: 'signing-certificate-v2 names another serial number.' }];
  }
  return [];
}

/**
 * Verifies `signerInfo` against `certificate`: `message` is the eContent for a primary signature
 * or the parent's signature value for a countersignature. `code` is NU3011 for a primary and NU3031
 * for a countersignature.
 */
export function verifySignerInfo(
  signerInfo: ParsedSignerInfo,
  certificate: ParsedCertificate,
  message: Uint8Array,
  code: 'NU3011' | 'NU3031',
): VerificationIssue[] {
  const issues: VerificationIssue[] = [];
  const algorithm = hashAlgorithmByOid(signerInfo.digestAlgorithmOid);
  if (!algorithm) {
    return [{ level: 'error', nugetCode: 'NU3016', message: `The digest algorithm ${signerInfo.digestAlgorithmOid} is not allowed.` }];
  }
  if (!signerInfo.signedAttrs) {
    return [{ level: 'error', nugetCode: code, message: 'The signature has no signed attributes.' }];
  }
  if (!findAttribute(signerInfo.signedAttributes, OID.signingTime)) {
    issues.push({ level: 'error', nugetCode: code, message: 'The signing-time attribute is missing.' });
  }
  issues.push(...signingCertificateIssues(signerInfo, certificate, code));
  const digest = singleValue(signerInfo, OID.messageDigest);
  const expected = createHash(algorithm.nodeName).update(message).digest();
  if (!digest || !expected.equals(tlvContent(readTlv(digest)))) {
    issues.push({ level: 'error', nugetCode: 'NU3012', message: 'The message digest does not match the signed data.' });
  }
  if (!RSA_SIGNATURE_ALGORITHMS.has(signerInfo.signatureAlgorithmOid)) {
    issues.push({ level: 'error', nugetCode: 'NU3012', message: `Signature algorithm ${signerInfo.signatureAlgorithmOid} is not supported.` });
  } else {
    const signed = retag(tlvBytes(signerInfo.signedAttrs), TAG.SET);
    if (!verify(algorithm.nodeName, signed, certificate.publicKey, signerInfo.signatureValue)) {
      issues.push({ level: 'error', nugetCode: 'NU3012', message: 'The signature value does not verify with the signing certificate.' });
    }
  }
  return issues;
}

/** The https service index URL of a repository signature, or an issue when it is missing or not https. */
export function readServiceIndexUrl(signerInfo: ParsedSignerInfo): { url?: string; issue?: VerificationIssue } {
  const value = singleValue(signerInfo, OID.nugetV3ServiceIndexUrl);
  if (!value) return { issue: { level: 'error', nugetCode: 'NU3000', message: 'The repository signature has no V3 service index URL.' } };
  const url = Buffer.from(tlvContent(readTlv(value))).toString('ascii');
  if (!url.startsWith('https://')) {
    return { url, issue: { level: 'error', nugetCode: 'NU3000', message: `The V3 service index URL '${url}' is not https.` } };
  }
  return { url };
}

/** The nuget-package-owners values, when the attribute is present. */
export function readPackageOwners(signerInfo: ParsedSignerInfo): string[] | undefined {
  const value = singleValue(signerInfo, OID.nugetPackageOwners);
  if (!value) return undefined;
  return children(readTlv(value)).map((owner) => Buffer.from(tlvContent(owner)).toString('utf8'));
}

/** The signing-time attribute value, when present. */
export function readSigningTime(signerInfo: ParsedSignerInfo): Date | undefined {
  const value = singleValue(signerInfo, OID.signingTime);
  return value ? readTime(readTlv(value)) : undefined;
}

/** The DER of each timestamp token on a SignerInfo (the first one is what NuGet uses). */
export function timestampTokens(signerInfo: ParsedSignerInfo): Uint8Array[] {
  return signerInfo.unsignedAttributes
    .filter((attribute) => attribute.oid === OID.signatureTimeStampToken)
    .flatMap((attribute) => attribute.values.map(tlvBytes));
}
