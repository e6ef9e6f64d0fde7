// SPDX-License-Identifier: MIT
// Parses and validates an RFC 3161 timestamp token against the signature it timestamps (spec §7.2).

import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { hashAlgorithmByOid, type HashAlgorithmName } from '../hash-algorithm.js';
import { invalidTimestamp } from './errors.js';
import { OID_SIGNED_DATA, OID_TST_INFO } from './oids.js';
import { checkSigningCertificateAttribute } from './signing-certificate.js';
import { checkTsaCertificate, equalBytes, findSignerCertificate, tokenCertificates } from './tsa-certificate.js';

/** A validated RFC 3161 timestamp token. */
export interface TimestampToken {
  /** The TimeStampToken ContentInfo, the single value of unsigned attribute 1.2.840.113549.1.9.16.2.14. */
  readonly der: Uint8Array;
  readonly genTime: Date;
  /** TSTInfo accuracy in milliseconds, or undefined when the TSA stated none. */
  readonly accuracyMs: number | undefined;
  /** DER of the TSA signer certificate. */
  readonly tsaCertificate: Uint8Array;
  /** The TSA that answered; empty for a token read back from a signature. */
  readonly url: string;
  /** TSTInfo policy OID. */
  readonly policy: string;
}

/** What the reply to our own request must echo. */
export interface ExpectedTimestamp {
  readonly hashAlgorithm: HashAlgorithmName;
  readonly nonce: bigint;
}

/**
 * Parses a token already embedded in a signature and validates it against `signatureValue`: the
 * imprint (NU3019, NU3030), the token's shape and CMS signature (NU3021), the TSA certificate rules
 * (NU3020, NU3022 to NU3025, NU3028, NU3036) and the ESS signing-certificate binding. Chain trust is
 * not judged. Throws TIMESTAMP_INVALID.
 */
export async function readTimestampToken(der: Uint8Array, signatureValue: Uint8Array): Promise<TimestampToken> {
  return validateTimestampToken(der, signatureValue, '', undefined);
}

/**
 * Validates a token as {@link readTimestampToken} does and, for a reply to our own request, also
 * that it echoes the request's imprint algorithm (NU3019) and nonce (NU3026).
 */
export async function validateTimestampToken(
  der: Uint8Array,
  signatureValue: Uint8Array,
  url: string,
  expected: ExpectedTimestamp | undefined,
): Promise<TimestampToken> {
  const { signedData, schema } = parseSignedData(der);
  if (signedData.encapContentInfo.eContentType !== OID_TST_INFO) {
    throw invalidTimestamp(`The token content type is ${signedData.encapContentInfo.eContentType}, not id-ct-TSTInfo.`, 'NU3021');
  }
  const eContent = signedData.encapContentInfo.eContent;
  if (eContent === undefined) throw invalidTimestamp('The timestamp token carries no TSTInfo.', 'NU3021');
  const tstInfo = parseTstInfo(new Uint8Array(eContent.getValue()));
  if (signedData.signerInfos.length !== 1) {
    throw invalidTimestamp(`The timestamp token has ${signedData.signerInfos.length} signers; exactly one is required.`, 'NU3021');
  }
  const [signerInfo] = signedData.signerInfos;
  checkImprint(tstInfo, signatureValue, expected);
  if (expected !== undefined && tstInfo.nonce?.toBigInt() !== expected.nonce) {
    throw invalidTimestamp('The TSA reply does not echo the request nonce.', 'NU3026');
  }
  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  if (hashAlgorithmByOid(digestOid) === undefined) {
    throw invalidTimestamp(`The timestamp signer digest algorithm ${digestOid} is not SHA-256/384/512.`, 'NU3024');
  }
  const tsa = findSignerCertificate(signerInfo, tokenCertificates(signedData, schema));
  checkTsaCertificate(tsa, tstInfo.genTime, new Date());
  checkSigningCertificateAttribute(signerInfo, tsa);
  await verifySignature(signedData, signatureValue);
  return {
    der: der.slice(),
    genTime: tstInfo.genTime,
    accuracyMs: accuracyMs(tstInfo.accuracy),
    tsaCertificate: tsa.der,
    url,
    policy: tstInfo.policy,
  };
}

function parseSignedData(der: Uint8Array): { signedData: pkijs.SignedData; schema: asn1js.AsnType } {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength) {
    throw invalidTimestamp('The timestamp token is not a single DER ContentInfo.', 'NU3021');
  }
  let contentInfo: pkijs.ContentInfo;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
  } catch (error) {
    throw invalidTimestamp('The timestamp token is not a CMS ContentInfo.', 'NU3021', error);
  }
  if (contentInfo.contentType !== OID_SIGNED_DATA) {
    throw invalidTimestamp(`The timestamp token content type is ${contentInfo.contentType}, not signedData.`, 'NU3021');
  }
  const schema = contentInfo.content as asn1js.AsnType;
  try {
    return { signedData: new pkijs.SignedData({ schema }), schema };
  } catch (error) {
    throw invalidTimestamp('The timestamp token is not a CMS SignedData.', 'NU3021', error);
  }
}

function parseTstInfo(bytes: Uint8Array): pkijs.TSTInfo {
  try {
    return pkijs.TSTInfo.fromBER(bytes);
  } catch (error) {
    throw invalidTimestamp('The timestamp token content is not a TSTInfo.', 'NU3021', error);
  }
}

function checkImprint(tstInfo: pkijs.TSTInfo, signatureValue: Uint8Array, expected: ExpectedTimestamp | undefined): void {
  const oid = tstInfo.messageImprint.hashAlgorithm.algorithmId;
  const algorithm = hashAlgorithmByOid(oid);
  if (algorithm === undefined) {
    throw invalidTimestamp(`The timestamp imprint uses hash algorithm ${oid}; only SHA-256/384/512 are accepted.`, 'NU3030');
  }
  if (expected !== undefined && algorithm.name !== expected.hashAlgorithm) {
    throw invalidTimestamp(`The TSA imprinted with ${algorithm.name} instead of the requested ${expected.hashAlgorithm}.`, 'NU3019');
  }
  const digest = new Uint8Array(createHash(algorithm.nodeName).update(signatureValue).digest());
  if (!equalBytes(digest, tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView)) {
    throw invalidTimestamp('The timestamp imprint does not match the signature value.', 'NU3019');
  }
}

async function verifySignature(signedData: pkijs.SignedData, signatureValue: Uint8Array): Promise<void> {
  let verified: boolean;
  let cause: unknown;
  try {
    // For id-ct-TSTInfo content pkijs takes `data` as the timestamped bytes and checks the imprint again.
    verified = await signedData.verify({ signer: 0, data: toArrayBuffer(signatureValue), checkChain: false });
  } catch (error) {
    verified = false;
    cause = error;
  }
  if (!verified) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    throw invalidTimestamp(`The timestamp token signature does not verify${reason}.`, 'NU3021', cause);
  }
}

function accuracyMs(accuracy: pkijs.Accuracy | undefined): number | undefined {
  if (accuracy === undefined) return undefined;
  return (accuracy.seconds ?? 0) * 1000 + (accuracy.millis ?? 0) + (accuracy.micros ?? 0) / 1000;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}
