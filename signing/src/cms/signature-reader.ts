// SPDX-License-Identifier: MIT
// Reads a `.signature.p7s` into located TLVs: enough to classify, verify, strip and countersign it
// while keeping every byte of what is not changed.

import { ReposignError } from '../errors.js';
import { parseCertificate, type ParsedCertificate } from '../certificates/certificate.js';
import { children, expectTlv, octetStringValue, readOid, readTlv, TAG, tlvBytes, tlvContent, type Tlv } from './der.js';
import { OID } from './oids.js';

/** Attribute ::= SEQUENCE { attrType, attrValues SET OF } located in its source. */
export interface ParsedAttribute {
  readonly oid: string;
  readonly tlv: Tlv;
  readonly values: readonly Tlv[];
}

/** The type NuGet derives from commitment-type-indication. */
export type SignatureType = 'author' | 'repository' | 'unknown';

/** A SignerInfo located in its source. */
export interface ParsedSignerInfo {
  readonly tlv: Tlv;
  readonly version: number;
  readonly sid: Tlv;
  readonly digestAlgorithmOid: string;
  /** The `[0] IMPLICIT` signed attributes element. */
  readonly signedAttrs: Tlv | undefined;
  readonly signedAttributes: readonly ParsedAttribute[];
  readonly signatureAlgorithmOid: string;
  /** The signature OCTET STRING element. */
  readonly signatureTlv: Tlv;
  readonly signatureValue: Uint8Array;
  readonly unsignedAttributes: readonly ParsedAttribute[];
  readonly type: SignatureType;
}

/** A parsed NuGet signature file. */
export interface ParsedSignature {
  readonly bytes: Uint8Array;
  readonly signedData: Tlv;
  /** Children of SignedData before the certificates: version, digestAlgorithms, encapContentInfo. */
  readonly head: readonly Tlv[];
  readonly certificatesTlv: Tlv | undefined;
  readonly crlsTlv: Tlv | undefined;
  /** eContent octets. */
  readonly content: Uint8Array;
  /** DER certificates of SignedData.certificates, in encoded order. */
  readonly certificates: readonly Uint8Array[];
  readonly primary: ParsedSignerInfo;
  /** Every countersigner on the primary, in enumeration order. */
  readonly countersignatures: readonly ParsedSignerInfo[];
}

function malformed(message: string, nugetCode = 'NU3003'): ReposignError {
  return new ReposignError('SIGNATURE_MALFORMED', `The package signature is malformed: ${message}.`, { nugetCode });
}

function parseAttributes(set: Tlv | undefined): ParsedAttribute[] {
  if (!set) return [];
  return children(set).map((tlv) => {
    const [type, values] = children(tlv);
    if (!type || !values || values.tag !== TAG.SET) throw malformed('an attribute is not SEQUENCE { OID, SET }');
    return { oid: readOid(type), tlv, values: children(values) };
  });
}

/** The attribute with this OID, or undefined. Throws when it appears twice (NuGet's GetAttribute does). */
export function findAttribute(attributes: readonly ParsedAttribute[], oid: string): ParsedAttribute | undefined {
  const found = attributes.filter((attribute) => attribute.oid === oid);
  if (found.length > 1) throw malformed(`attribute ${oid} appears more than once`);
  return found[0];
}

function signatureType(attributes: readonly ParsedAttribute[]): SignatureType {
  const commitment = findAttribute(attributes, OID.commitmentTypeIndication);
  if (!commitment) return 'unknown';
  const types = new Set<string>();
  for (const value of commitment.values) {
    const [typeId] = children(value);
    if (typeId) types.add(readOid(typeId));
  }
  const origin = types.has(OID.proofOfOrigin);
  const receipt = types.has(OID.proofOfReceipt);
  if (origin && receipt) throw malformed('the commitment type is both author and repository', 'NU3000');
  if (origin) return 'author';
  return receipt ? 'repository' : 'unknown';
}

/** Parses one SignerInfo SEQUENCE. */
export function parseSignerInfo(tlv: Tlv): ParsedSignerInfo {
  const parts = children(tlv);
  let index = 0;
  const next = (): Tlv => {
    const part = parts[index++];
    if (!part) throw malformed('a SignerInfo is truncated');
    return part;
  };
  const versionTlv = next();
  if (versionTlv.tag !== TAG.INTEGER) throw malformed('SignerInfo version is not an INTEGER');
  const sid = next();
  const digestAlgorithm = next();
  let signedAttrs: Tlv | undefined;
  let algorithm = next();
  if (algorithm.tag === 0xa0) {
    signedAttrs = algorithm;
    algorithm = next();
  }
  const signatureTlv = next();
  const unsigned = parts[index];
  if (unsigned && unsigned.tag !== 0xa1) throw malformed('unexpected element after the SignerInfo signature');
  const signedAttributes = parseAttributes(signedAttrs);
  return {
    tlv,
    version: tlvContent(versionTlv).reduce((value, byte) => value * 256 + byte, 0),
    sid,
    digestAlgorithmOid: readOid(children(digestAlgorithm)[0]),
    signedAttrs,
    signedAttributes,
    signatureAlgorithmOid: readOid(children(algorithm)[0]),
    signatureTlv,
    signatureValue: octetStringValue(signatureTlv),
    unsignedAttributes: parseAttributes(unsigned),
    type: signatureType(signedAttributes),
  };
}

/** The countersigners stored in a SignerInfo's countersignature attributes, in enumeration order. */
export function countersignaturesOf(signerInfo: ParsedSignerInfo): ParsedSignerInfo[] {
  return signerInfo.unsignedAttributes
    .filter((attribute) => attribute.oid === OID.countersignature)
    .flatMap((attribute) => attribute.values.map(parseSignerInfo));
}

/**
 * Parses `.signature.p7s` bytes: ContentInfo → SignedData with exactly one SignerInfo (NU3009)
 * and embedded content. Throws SIGNATURE_MALFORMED.
 */
export function parseSignature(bytes: Uint8Array): ParsedSignature {
  try {
    const contentInfo = expectTlv(bytes, 0, TAG.SEQUENCE, 'ContentInfo');
    if (contentInfo.end !== bytes.length) throw malformed('trailing bytes after the ContentInfo');
    const [typeTlv, wrapper] = children(contentInfo);
    if (!typeTlv || readOid(typeTlv) !== OID.signedData || !wrapper || wrapper.tag !== 0xa0) {
      throw malformed('it is not CMS SignedData');
    }
    const signedData = expectTlv(bytes, wrapper.contentStart, TAG.SEQUENCE, 'SignedData', wrapper.contentEnd);
    const parts = children(signedData);
    const head = parts.slice(0, 3);
    if (head.length < 3) throw malformed('SignedData is truncated');
    const encap = children(head[2]);
    const eContentWrapper = encap[1];
    if (!eContentWrapper || eContentWrapper.tag !== 0xa0) throw malformed('the content is detached', 'NU3000');
    const eContent = octetStringValue(readTlv(bytes, eContentWrapper.contentStart, eContentWrapper.contentEnd));
    let index = 3;
    const certificatesTlv = parts[index]?.tag === 0xa0 ? parts[index++] : undefined;
    const crlsTlv = parts[index]?.tag === 0xa1 ? parts[index++] : undefined;
    const signerInfosTlv = parts[index];
    if (!signerInfosTlv || signerInfosTlv.tag !== TAG.SET || parts.length !== index + 1) {
      throw malformed('SignedData signerInfos are missing or misplaced');
    }
    const signerInfos = children(signerInfosTlv);
    if (signerInfos.length !== 1) {
      throw malformed(`it must have exactly one primary signer, found ${signerInfos.length}`, 'NU3009');
    }
    const primary = parseSignerInfo(signerInfos[0]);
    return {
      bytes,
      signedData,
      head,
      certificatesTlv,
      crlsTlv,
      content: eContent,
      certificates: certificatesTlv ? children(certificatesTlv).map(tlvBytes) : [],
      primary,
      countersignatures: countersignaturesOf(primary),
    };
  } catch (error) {
    if (error instanceof ReposignError) throw error;
    throw malformed('it could not be decoded', 'NU3003');
  }
}

/** Finds the certificate a SignerInfo's sid names among `certificates` (by SKI, or by issuer and serial). */
export function findSignerCertificate(
  signerInfo: ParsedSignerInfo,
  certificates: readonly Uint8Array[],
): ParsedCertificate | undefined {
  const sid = signerInfo.sid;
  const parsed = certificates.map(parseCertificate);
  if (sid.tag === 0x80) {
    const keyId = Buffer.from(tlvContent(sid));
    return parsed.find((certificate) => certificate.subjectKeyIdentifier && keyId.equals(certificate.subjectKeyIdentifier));
  }
  const [issuer, serial] = children(sid);
  if (!issuer || !serial) return undefined;
  const issuerBytes = Buffer.from(tlvBytes(issuer));
  const serialBytes = Buffer.from(tlvContent(serial));
  return parsed.find(
    (certificate) => issuerBytes.equals(certificate.issuerNameDer) && serialBytes.equals(certificate.serialContent),
  );
}
