// SPDX-License-Identifier: MIT
// A parsed X.509 certificate: the raw fields CMS needs (issuer Name bytes, serial, SKI) and the
// facts NuGet's client checks (key size, signature algorithm, EKU, validity).

import { createHash, X509Certificate, type KeyObject } from 'node:crypto';

import { ReposignError } from '../errors.js';
import { children, expectTlv, readOid, readTime, TAG, tlvBytes, tlvContent, type Tlv } from '../cms/der.js';
import { OID } from '../cms/oids.js';

/** What a report or the certificate records say about a certificate. */
export interface CertificateInfo {
  /** Lowercase hex SHA-256 of the DER, the form the repository-signatures index uses. */
  readonly fingerprintSha256: string;
  readonly subject: string;
  /** The subject's attribute values by short name (`CN`, `O`, `OU`, `C`, `L`, `ST`, ...), in order. */
  readonly subjectAttributes: Readonly<Record<string, readonly string[]>>;
  readonly issuer: string;
  /** Uppercase hex of the serial number magnitude. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly der: Uint8Array;
  /** 'rsa', 'ec', ... as node:crypto names the public key type. */
  readonly keyType: string;
  /** RSA modulus length in bits (0 for other key types). */
  readonly keyBits: number;
  /** The algorithm the issuer signed the certificate with (NuGet allows sha256/384/512WithRSA). */
  readonly signatureAlgorithmOid: string;
}

/** A certificate with the raw fields the CMS builders copy verbatim. */
export interface ParsedCertificate extends CertificateInfo {
  /** DER of the TBSCertificate issuer Name, copied byte-for-byte into issuerAndSerialNumber and ESSCertIDv2. */
  readonly issuerNameDer: Uint8Array;
  readonly subjectNameDer: Uint8Array;
  /** The serial INTEGER's content octets exactly as encoded. */
  readonly serialContent: Uint8Array;
  /** keyIdentifier of the subjectKeyIdentifier extension, when present. */
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  /** EKU OIDs, or undefined when the certificate has no EKU extension (which NuGet treats as "any"). */
  readonly extendedKeyUsages: readonly string[] | undefined;
  /** The basicConstraints extension, or undefined when the certificate has none. */
  readonly basicConstraints: BasicConstraints | undefined;
  /** Whether the keyUsage extension asserts keyCertSign; undefined when there is no keyUsage extension. */
  readonly keyCertSign: boolean | undefined;
  readonly publicKey: KeyObject;
  readonly selfIssued: boolean;
}

/** A basicConstraints extension: whether the subject is a CA, and its path length limit if any. */
export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLength: number | undefined;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
function readBasicConstraints(value: Tlv | undefined): BasicConstraints | undefined {
  if (!value) return undefined;
  const fields = children(expectTlv(value.source, value.contentStart, TAG.SEQUENCE, 'basicConstraints'));
  const ca = fields[0]?.tag === TAG.BOOLEAN && tlvContent(fields[0])[0] !== 0;
  const length = fields.find((field) => field.tag === TAG.INTEGER);
  return { ca, pathLength: length ? tlvContent(length).reduce((total, byte) => total * 256 + byte, 0) : undefined };
}

/** KeyUsage ::= BIT STRING; keyCertSign is bit 5, i.e. 0x04 of the first content byte after the unused-bits count. */
function readKeyCertSign(value: Tlv | undefined): boolean | undefined {
  if (!value) return undefined;
  const bits = tlvContent(expectTlv(value.source, value.contentStart, TAG.BIT_STRING, 'keyUsage'));
  return ((bits[1] ?? 0) & 0x04) !== 0;
}

function formatName(text: string): string {
  // node prints one RDN a line; NuGet and the index show "CN=a, O=b".
  return text.split('\n').filter(Boolean).join(', ');
}

/** node's one-RDN-a-line name as attribute values by short name. */
function nameAttributes(text: string): Record<string, string[]> {
  const attributes: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const name = line.slice(0, equals);
    (attributes[name] ??= []).push(line.slice(equals + 1));
  }
  return attributes;
}

function readExtensions(tbs: Tlv[]): Map<string, Tlv> {
  const extensions = new Map<string, Tlv>();
  const wrapper = tbs.find((item) => item.tag === 0xa3);
  if (!wrapper) return extensions;
  const list = expectTlv(wrapper.source, wrapper.contentStart, TAG.SEQUENCE, 'extensions', wrapper.contentEnd);
  for (const extension of children(list)) {
    const parts = children(extension);
    const id = readOid(parts[0]);
    const value = parts[parts.length - 1];
    if (value.tag !== TAG.OCTET_STRING) throw new Error(`extension ${id} has no OCTET STRING value`);
    extensions.set(id, value);
  }
  return extensions;
}

/**
 * Parses a DER certificate. Throws CERTIFICATE_INVALID when the bytes are not an X.509 v3
 * certificate this code can read.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  try {
    const x509 = new X509Certificate(Buffer.from(der));
    const certificate = expectTlv(der, 0, TAG.SEQUENCE, 'Certificate');
    const [tbsTlv, algorithmTlv] = children(certificate);
    const tbs = children(tbsTlv);
    const offset = tbs[0].tag === 0xa0 ? 1 : 0;
    const serial = tbs[offset];
    const issuerName = tbs[offset + 2];
    const validity = children(tbs[offset + 3]);
    const subjectName = tbs[offset + 4];
    const extensions = readExtensions(tbs);

    const skiValue = extensions.get(OID.subjectKeyIdentifier);
    const ski = skiValue ? tlvContent(expectTlv(skiValue.source, skiValue.contentStart, TAG.OCTET_STRING, 'SKI')) : undefined;
    const ekuValue = extensions.get(OID.extendedKeyUsage);
    const ekus = ekuValue
      ? children(expectTlv(ekuValue.source, ekuValue.contentStart, TAG.SEQUENCE, 'EKU')).map(readOid)
      : undefined;
    const publicKey = x509.publicKey;
    const keyType = publicKey.asymmetricKeyType ?? 'unknown';
    const serialContent = tlvContent(serial);
    const issuerNameDer = tlvBytes(issuerName);
    const subjectNameDer = tlvBytes(subjectName);
    return {
      fingerprintSha256: createHash('sha256').update(der).digest('hex'),
      subject: formatName(x509.subject),
      subjectAttributes: nameAttributes(x509.subject),
      issuer: formatName(x509.issuer),
      serialNumber: Buffer.from(serialContent).toString('hex').replace(/^(00)+(?=.)/, '').toUpperCase(),
      notBefore: readTime(validity[0]),
      notAfter: readTime(validity[1]),
      der: Uint8Array.from(der),
      issuerNameDer,
      subjectNameDer,
      serialContent,
      subjectKeyIdentifier: ski,
      signatureAlgorithmOid: readOid(children(algorithmTlv)[0]),
      extendedKeyUsages: ekus,
      basicConstraints: readBasicConstraints(extensions.get(OID.basicConstraints)),
      keyCertSign: readKeyCertSign(extensions.get(OID.keyUsage)),
      publicKey,
      keyType,
      keyBits: keyType === 'rsa' ? (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) : 0,
      selfIssued: Buffer.compare(Buffer.from(issuerNameDer), Buffer.from(subjectNameDer)) === 0,
    };
  } catch (error) {
    if (error instanceof ReposignError && error.code === 'CERTIFICATE_INVALID') throw error;
    throw new ReposignError('CERTIFICATE_INVALID', 'The certificate could not be parsed as DER X.509.', { cause: error });
  }
}

/** The public facts about a certificate, for reports, logs and the certificate records. */
export function describeCertificate(der: Uint8Array): CertificateInfo {
  return certificateInfo(parseCertificate(der));
}

/** The public facts of an already parsed certificate. */
export function certificateInfo(certificate: ParsedCertificate): CertificateInfo {
  const { fingerprintSha256, subject, subjectAttributes, issuer, serialNumber, notBefore, notAfter, der, keyType, keyBits, signatureAlgorithmOid } =
    certificate;
  return { fingerprintSha256, subject, subjectAttributes, issuer, serialNumber, notBefore, notAfter, der, keyType, keyBits, signatureAlgorithmOid };
}

/** Converts PEM text holding one or more CERTIFICATE blocks to DER certificates, in order. */
export function certificatesFromPem(pem: string): Uint8Array[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => Uint8Array.from(new X509Certificate(block).raw));
}

/** PEM text of a DER certificate. */
export function certificateToPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}
