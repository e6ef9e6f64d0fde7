// SPDX-License-Identifier: MIT
// The signed attributes of NuGet repository signatures and countersignatures (spec §5.2, §6.2).

import { createHash } from 'node:crypto';

import { ReposignError } from '../errors.js';
import { hashAlgorithm, type HashAlgorithmName } from '../hash-algorithm.js';
import type { ParsedCertificate } from '../certificates/certificate.js';
import { element, ia5String, octetString, oid, sequence, setOf, time, utf8String, TAG } from './der.js';
import { OID } from './oids.js';

/** Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue } — NuGet uses one value. */
export function attribute(type: string, value: Uint8Array): Uint8Array {
  return sequence(oid(type), setOf([value]));
}

/** AlgorithmIdentifier for a SHA-2 digest, written with absent parameters as .NET does. */
export function digestAlgorithmIdentifier(hash: HashAlgorithmName): Uint8Array {
  return sequence(oid(hashAlgorithm(hash).oid));
}

/** Per certificate, its signing-certificate-v2 attribute by hash: a feed signs every package with one certificate. */
const signingCertificateAttributes = new WeakMap<ParsedCertificate, Map<HashAlgorithmName, Uint8Array>>();

/**
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
 * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, certHash OCTET STRING, issuerSerial IssuerSerial }
 * IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
 * The hash algorithm is always written (NuGet does), the issuer is a [4] directoryName copied verbatim.
 */
export function signingCertificateV2(certificate: ParsedCertificate, hash: HashAlgorithmName): Uint8Array {
  let byHash = signingCertificateAttributes.get(certificate);
  if (!byHash) signingCertificateAttributes.set(certificate, (byHash = new Map<HashAlgorithmName, Uint8Array>()));
  let encoded = byHash.get(hash);
  if (!encoded) {
    const certHash = createHash(hashAlgorithm(hash).nodeName).update(certificate.der).digest();
    const issuerSerial = sequence(
      sequence(element(0xa4, certificate.issuerNameDer)),
      element(TAG.INTEGER, certificate.serialContent),
    );
    encoded = attribute(
      OID.signingCertificateV2,
      sequence(sequence(sequence(digestAlgorithmIdentifier(hash), octetString(certHash), issuerSerial))),
    );
    byHash.set(hash, encoded);
  }
  return encoded;
}

function checkServiceIndexUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ReposignError('INVALID_ARGUMENT', `The V3 service index URL '${url}' is not an absolute URL.`);
  }
  if (parsed.protocol !== 'https:') {
    throw new ReposignError(
      'INVALID_ARGUMENT',
      `The V3 service index URL '${url}' must use https: NuGet rejects repository signatures with any other scheme.`,
    );
  }
  if (!/^[\x20-\x7e]+$/.test(url)) {
    throw new ReposignError('INVALID_ARGUMENT', `The V3 service index URL '${url}' must be ASCII.`);
  }
}

function checkOwners(owners: readonly string[]): void {
  for (const owner of owners) {
    if (owner.trim() === '') throw new ReposignError('INVALID_ARGUMENT', 'Package owners must not be blank.');
  }
}

/** The attributes that make a signature a repository signature, for a primary or a countersignature. */
export interface RepositoryAttributeOptions {
  readonly certificate: ParsedCertificate;
  readonly hash: HashAlgorithmName;
  /** Absolute https URL of the feed's service index. */
  readonly serviceIndexUrl: string;
  readonly packageOwners?: readonly string[] | undefined;
  readonly signingTime: Date;
}

/**
 * The signed attributes NuGet writes for a repository signature, without message-digest and
 * content-type (the caller adds those): signing-time, commitment-type proof-of-receipt,
 * signing-certificate-v2, nuget-v3-service-index-url and, when there are owners, nuget-package-owners.
 */
export function repositoryAttributes(options: RepositoryAttributeOptions): Uint8Array[] {
  checkServiceIndexUrl(options.serviceIndexUrl);
  const owners = options.packageOwners ?? [];
  checkOwners(owners);
  const attributes = [
    attribute(OID.signingTime, time(options.signingTime)),
    attribute(OID.commitmentTypeIndication, sequence(oid(OID.proofOfReceipt))),
    signingCertificateV2(options.certificate, options.hash),
    attribute(OID.nugetV3ServiceIndexUrl, ia5String(options.serviceIndexUrl)),
  ];
  if (owners.length > 0) attributes.push(attribute(OID.nugetPackageOwners, sequence(...owners.map(utf8String))));
  return attributes;
}

/** message-digest attribute. */
export function messageDigestAttribute(digest: Uint8Array): Uint8Array {
  return attribute(OID.messageDigest, octetString(digest));
}

/** content-type attribute naming id-data (primary signatures only; countersignatures must not carry it). */
export function contentTypeDataAttribute(): Uint8Array {
  return attribute(OID.contentType, oid(OID.data));
}
