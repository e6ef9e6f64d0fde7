// SPDX-License-Identifier: MIT
// Repository countersignatures on an author-signed package (spec §6): add one, or strip ours and
// NuGet.org's, while every byte the author signed stays as it was.

import { attribute } from './attributes.js';
import { children, concat, element, explicit, oid, readOid, readTlv, retag, sequence, tlvBytes, TAG } from './der.js';
import { OID } from './oids.js';
import { buildRepositorySignerInfo, type RepositorySignatureRequest } from './repository-signer.js';
import { parseSignerInfo, type ParsedAttribute, type ParsedSignature } from './signature-reader.js';

/** An attribute re-encoded with only the given values (the attribute is dropped when none remain). */
function withValues(attr: ParsedAttribute, keep: (value: ParsedAttribute['values'][number]) => boolean): Uint8Array | undefined {
  const values = attr.values.filter(keep);
  if (values.length === attr.values.length) return tlvBytes(attr.tlv);
  if (values.length === 0) return undefined;
  return sequence(oid(attr.oid), element(TAG.SET, ...values.map(tlvBytes)));
}

/** The primary's unsigned attributes without repository countersignatures, encodings otherwise untouched. */
function unsignedAttributesWithoutRepositoryCountersignatures(signature: ParsedSignature): Uint8Array[] {
  return signature.primary.unsignedAttributes.flatMap((attr) => {
    if (attr.oid !== OID.countersignature) return [tlvBytes(attr.tlv)];
    const kept = withValues(attr, (value) => parseSignerInfo(value).type !== 'repository');
    return kept ? [kept] : [];
  });
}

/**
 * Re-emits the signature with a new unsigned-attribute list on the primary and extra certificates.
 * Everything else (content, digest algorithms, version, the primary's signed attributes and
 * signature value, CRLs, existing certificates) is copied byte for byte. SignedData's version and
 * digestAlgorithms are left alone, as .NET does when countersigning.
 */
function rebuild(signature: ParsedSignature, unsignedAttributes: readonly Uint8Array[], extraCertificates: readonly Uint8Array[]): Uint8Array {
  const primary = signature.primary;
  const signedPart = primary.tlv.source.subarray(primary.tlv.contentStart, primary.signatureTlv.end);
  const signerInfo =
    unsignedAttributes.length > 0
      ? element(TAG.SEQUENCE, signedPart, retag(element(TAG.SET, ...unsignedAttributes), 0xa1))
      : element(TAG.SEQUENCE, signedPart);

  const existing = signature.certificatesTlv
    ? [signature.certificatesTlv.source.subarray(signature.certificatesTlv.contentStart, signature.certificatesTlv.contentEnd)]
    : [];
  const known = new Set(signature.certificates.map((der) => Buffer.from(der).toString('base64')));
  const added = extraCertificates.filter((der) => !known.has(Buffer.from(der).toString('base64')));
  const certificateContent = concat([...existing, ...added]);
  const parts = signature.head.map(tlvBytes);
  if (certificateContent.length > 0) parts.push(element(0xa0, certificateContent));
  if (signature.crlsTlv) parts.push(tlvBytes(signature.crlsTlv));
  parts.push(element(TAG.SET, signerInfo));
  return sequence(oid(OID.signedData), explicit(0, sequence(...parts)));
}

/**
 * Removes every repository countersignature (NuGet.org's or ours) from an author-signed package's
 * signature. Author timestamps and non-repository countersignatures stay. The repository
 * certificates stay in the certificate set, as NuGet leaves them.
 */
export function removeRepositoryCountersignatures(signature: ParsedSignature): Uint8Array {
  return rebuild(signature, unsignedAttributesWithoutRepositoryCountersignatures(signature), []);
}

/**
 * Adds a repository countersignature to the primary signer: its message-digest is the hash of the
 * primary's signature value, it has no content-type, and the repository chain joins the outer
 * certificate set. Existing repository countersignatures are removed first (NuGet allows one, NU3032).
 * Ours goes before any other countersignature, because NuGet on .NET reads the first countersigner's
 * value when it checks the countersignature's timestamp (spec §6.3).
 */
export async function addRepositoryCountersignature(
  signature: ParsedSignature,
  request: RepositorySignatureRequest,
): Promise<Uint8Array> {
  const counterSigner = await buildRepositorySignerInfo(request, signature.primary.signatureValue);
  const ours = attribute(OID.countersignature, counterSigner.der);
  const rest = unsignedAttributesWithoutRepositoryCountersignatures(signature);
  const firstCountersignature = rest.findIndex((encoded) => isCountersignatureAttribute(encoded));
  const at = firstCountersignature < 0 ? rest.length : firstCountersignature;
  const unsigned = [...rest.slice(0, at), ours, ...rest.slice(at)];
  return rebuild(signature, unsigned, request.chain.map((certificate) => certificate.der));
}

function isCountersignatureAttribute(encoded: Uint8Array): boolean {
  const [type] = children(readTlv(encoded));
  return type !== undefined && readOid(type) === OID.countersignature;
}
