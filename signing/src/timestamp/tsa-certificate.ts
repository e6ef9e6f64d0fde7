// SPDX-License-Identifier: MIT
// Finds the TSA signer certificate in a token and applies NuGet's certificate rules to it (spec §7.2).

import { X509Certificate, createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { invalidTimestamp } from './errors.js';
import {
  OID_EXTENDED_KEY_USAGE,
  OID_KP_TIME_STAMPING,
  OID_SUBJECT_KEY_IDENTIFIER,
  TSA_CERTIFICATE_SIGNATURE_OIDS,
} from './oids.js';

/** A certificate from the token's certificate set, parsed and as its original bytes. */
export interface TokenCertificate {
  readonly certificate: pkijs.Certificate;
  readonly der: Uint8Array;
}

/**
 * Lists the X.509 certificates of a SignedData with their original encodings, taken from the parsed
 * ASN.1 tree because re-encoding could change the bytes that ESS certificate hashes cover.
 */
export function tokenCertificates(signedData: pkijs.SignedData, signedDataSchema: asn1js.AsnType): TokenCertificate[] {
  const fields = signedDataSchema instanceof asn1js.Sequence ? signedDataSchema.valueBlock.value : [];
  const set = fields.find((field) => field.idBlock.tagClass === 3 && field.idBlock.tagNumber === 0);
  const encodings = set instanceof asn1js.Constructed ? set.valueBlock.value : [];
  const result: TokenCertificate[] = [];
  (signedData.certificates ?? []).forEach((certificate, index) => {
    const encoding = encodings[index];
    if (certificate instanceof pkijs.Certificate && encoding !== undefined) {
      result.push({ certificate, der: encoding.valueBeforeDecodeView.slice() });
    }
  });
  return result;
}

/** The certificate named by the SignerInfo's sid, or NU3020 when the token does not carry it. */
export function findSignerCertificate(signerInfo: pkijs.SignerInfo, certificates: readonly TokenCertificate[]): TokenCertificate {
  const sid: unknown = signerInfo.sid;
  const found = certificates.find(({ certificate }) =>
    sid instanceof pkijs.IssuerAndSerialNumber
      ? certificate.issuer.isEqual(sid.issuer) && certificate.serialNumber.isEqual(sid.serialNumber)
      : sid instanceof asn1js.BaseBlock && equalBytes(keyIdentifier(certificate), subjectKeyIdFromSid(sid as asn1js.BaseBlock<asn1js.ValueBlock>)),
  );
  if (found === undefined) {
    throw invalidTimestamp('The timestamp token does not contain the TSA signing certificate.', 'NU3020');
  }
  return found;
}

/**
 * Applies NuGet's rules to the TSA certificate: timeStamping EKU, sha2-RSA certificate signature
 * (NU3022), RSA key of at least 2048 bits (NU3023), already valid now (NU3025), and genTime inside its
 * validity (NU3036). An EKU without id-kp-timeStamping fails NuGet's timestamp chain policy (NU3028).
 */
export function checkTsaCertificate(tsa: TokenCertificate, genTime: Date, now: Date): void {
  const { certificate } = tsa;
  const eku = certificate.extensions?.find((extension) => extension.extnID === OID_EXTENDED_KEY_USAGE);
  const purposes = eku?.parsedValue instanceof pkijs.ExtKeyUsage ? eku.parsedValue.keyPurposes : [];
  if (!purposes.includes(OID_KP_TIME_STAMPING)) {
    throw invalidTimestamp('The TSA certificate lacks the id-kp-timeStamping extended key usage.', 'NU3028');
  }
  const signatureOid = certificate.signatureAlgorithm.algorithmId;
  if (!TSA_CERTIFICATE_SIGNATURE_OIDS.has(signatureOid)) {
    throw invalidTimestamp(
      `The TSA certificate is signed with ${signatureOid}; only sha256/384/512WithRSAEncryption is accepted.`,
      'NU3022',
    );
  }
  const key = new X509Certificate(tsa.der).publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < 2048) {
    throw invalidTimestamp(
      `The TSA certificate key is ${key.asymmetricKeyType ?? 'unknown'} ${bits} bits; an RSA key of at least 2048 bits is required.`,
      'NU3023',
    );
  }
  const notBefore = certificate.notBefore.value;
  const notAfter = certificate.notAfter.value;
  if (notBefore > now) {
    throw invalidTimestamp(`The TSA certificate is not valid before ${notBefore.toISOString()}.`, 'NU3025');
  }
  if (genTime < notBefore || genTime > notAfter) {
    throw invalidTimestamp(
      `The timestamp time ${genTime.toISOString()} is outside the TSA certificate validity ` +
        `${notBefore.toISOString()} .. ${notAfter.toISOString()}.`,
      'NU3036',
    );
  }
}

// The subjectKeyIdentifier extension, or else the SHA-1 of the public key (RFC 5280 §4.2.1.2 method 1).
function keyIdentifier(certificate: pkijs.Certificate): Uint8Array {
  const extension = certificate.extensions?.find((candidate) => candidate.extnID === OID_SUBJECT_KEY_IDENTIFIER);
  if (extension?.parsedValue instanceof asn1js.OctetString) return extension.parsedValue.valueBlock.valueHexView;
  const publicKey = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha1').update(publicKey).digest());
}

// sid [0] SubjectKeyIdentifier: pkijs keeps the context-tagged block, primitive (IMPLICIT, the
// standard form) or constructed around an OCTET STRING.
function subjectKeyIdFromSid(sid: asn1js.BaseBlock<asn1js.ValueBlock>): Uint8Array {
  const block = sid instanceof asn1js.Constructed ? sid.valueBlock.value[0] : sid;
  const view: unknown = block === undefined ? undefined : Reflect.get(block.valueBlock, 'valueHexView');
  return view instanceof Uint8Array ? view : new Uint8Array();
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((value, index) => value === b[index]);
}
