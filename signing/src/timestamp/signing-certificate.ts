// SPDX-License-Identifier: MIT
// Checks the ESS signing-certificate (v1) / signing-certificate-v2 attribute of a token's signer the way
// NuGet does for timestamps: at least one present, each at most once with one value, and the first
// ESSCertID(v2) naming the TSA certificate (SignatureUtility.GetCertificates, EitherOrBoth).

import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { hashAlgorithmByOid } from '../hash-algorithm.js';
import { invalidTimestamp } from './errors.js';
import { OID_SIGNING_CERTIFICATE, OID_SIGNING_CERTIFICATE_V2 } from './oids.js';
import { equalBytes, type TokenCertificate } from './tsa-certificate.js';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';

// NuGet reports every defect of these attributes on a timestamp as an invalid timestamp signature.
const NUGET_CODE = 'NU3021';

/** Throws TIMESTAMP_INVALID (NU3021) unless the signed attributes bind `tsa` as the signer certificate. */
export function checkSigningCertificateAttribute(signerInfo: pkijs.SignerInfo, tsa: TokenCertificate): void {
  const attributes = signerInfo.signedAttrs?.attributes ?? [];
  const v1 = singleValue(attributes, OID_SIGNING_CERTIFICATE, 'signing-certificate');
  const v2 = singleValue(attributes, OID_SIGNING_CERTIFICATE_V2, 'signing-certificate-v2');
  if (v1 === undefined && v2 === undefined) {
    throw invalidTimestamp('The timestamp signer has neither a signing-certificate nor a signing-certificate-v2 attribute.', NUGET_CODE);
  }
  if (v2 !== undefined) {
    const ids = certIds(v2, 'signing-certificate-v2');
    const parsed = ids.map((id) => parseEssCertIdV2(id));
    const first = parsed[0];
    if (first === undefined || !matches(tsa, first.hashOid, first.hash, first.issuerSerial)) {
      throw invalidTimestamp('The signing-certificate-v2 attribute does not name the TSA certificate.', NUGET_CODE);
    }
  }
  if (v1 !== undefined) {
    const first = certIds(v1, 'signing-certificate')[0];
    const fields = first instanceof asn1js.Sequence ? first.valueBlock.value : [];
    const hash = fields[0];
    if (!(hash instanceof asn1js.OctetString) || !matches(tsa, undefined, hash.valueBlock.valueHexView, fields[1])) {
      throw invalidTimestamp('The signing-certificate attribute does not name the TSA certificate.', NUGET_CODE);
    }
  }
}

function singleValue(attributes: readonly pkijs.Attribute[], oid: string, name: string): unknown {
  const found = attributes.filter((attribute) => attribute.type === oid);
  if (found.length > 1 || (found[0] !== undefined && found[0].values.length !== 1)) {
    throw invalidTimestamp(`The timestamp signer has more than one ${name} value.`, NUGET_CODE);
  }
  const value: unknown = found[0]?.values[0];
  return value;
}

// SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies ... OPTIONAL }
function certIds(value: unknown, name: string): asn1js.AsnType[] {
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  const ids = certs instanceof asn1js.Sequence ? certs.valueBlock.value : [];
  if (ids.length === 0) throw invalidTimestamp(`The ${name} attribute lists no certificate.`, NUGET_CODE);
  return ids;
}

interface EssCertIdV2 {
  readonly hashOid: string;
  readonly hash: Uint8Array;
  readonly issuerSerial: asn1js.AsnType | undefined;
}

// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT sha256, certHash OCTET STRING, issuerSerial OPTIONAL }
function parseEssCertIdV2(id: asn1js.AsnType): EssCertIdV2 {
  const fields = id instanceof asn1js.Sequence ? [...id.valueBlock.value] : [];
  let hashOid = SHA256_OID;
  if (fields[0] instanceof asn1js.Sequence) {
    const algorithm = new pkijs.AlgorithmIdentifier({ schema: fields.shift() });
    hashOid = algorithm.algorithmId;
  }
  const hash = fields[0];
  if (!(hash instanceof asn1js.OctetString)) throw invalidTimestamp('An ESSCertIDv2 has no certificate hash.', NUGET_CODE);
  if (hashAlgorithmByOid(hashOid) === undefined) {
    throw invalidTimestamp(`An ESSCertIDv2 uses hash algorithm ${hashOid}; only SHA-256/384/512 are accepted.`, NUGET_CODE);
  }
  return { hashOid, hash: hash.valueBlock.valueHexView, issuerSerial: fields[1] };
}

// hashOid undefined means SHA-1 (ESSCertID v1). issuerSerial, when present, must name the certificate too.
function matches(tsa: TokenCertificate, hashOid: string | undefined, hash: Uint8Array, issuerSerial: unknown): boolean {
  const nodeName = hashOid === undefined ? 'sha1' : hashAlgorithmByOid(hashOid)?.nodeName;
  if (nodeName === undefined) return false;
  const actual = new Uint8Array(createHash(nodeName).update(tsa.der).digest());
  return equalBytes(actual, hash) && (issuerSerial === undefined || issuerSerialMatches(tsa.certificate, issuerSerial));
}

// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber INTEGER }; NuGet compares the serial and,
// when the first GeneralName is a directoryName [4], that name with the certificate's issuer.
function issuerSerialMatches(certificate: pkijs.Certificate, issuerSerial: unknown): boolean {
  const fields = issuerSerial instanceof asn1js.Sequence ? issuerSerial.valueBlock.value : [];
  const [names, serial] = fields;
  if (!(names instanceof asn1js.Sequence) || !(serial instanceof asn1js.Integer)) return false;
  if (!serial.isEqual(certificate.serialNumber)) return false;
  const first = names.valueBlock.value[0];
  if (!(first instanceof asn1js.Constructed) || first.idBlock.tagClass !== 3 || first.idBlock.tagNumber !== 4) return true;
  const name = first.valueBlock.value[0];
  return name !== undefined && new pkijs.RelativeDistinguishedNames({ schema: name }).isEqual(certificate.issuer);
}
