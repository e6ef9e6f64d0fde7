// SPDX-License-Identifier: MIT
// Builds one CMS SignerInfo (RFC 5652 §5.3) with a SigningKey, whatever backend holds the key.

import { createHash, verify as verifySignature } from 'node:crypto';

import { ReposignError } from '../errors.js';
import type { ParsedCertificate } from '../certificates/certificate.js';
import { hashAlgorithm, type HashAlgorithmName } from '../hash-algorithm.js';
import type { SigningKey } from '../signing-key.js';
import { signWithDeadline, type SignDeadline } from '../sign-with-deadline.js';
import type { Timestamper } from '../timestamp/index.js';
import { attribute, digestAlgorithmIdentifier, messageDigestAttribute } from './attributes.js';
import { element, integer, nullValue, octetString, oid, retag, sequence, setOf, TAG } from './der.js';
import { OID } from './oids.js';

/** What a new SignerInfo signs and how. */
export interface SignerInfoRequest {
  readonly key: SigningKey;
  readonly certificate: ParsedCertificate;
  readonly hash: HashAlgorithmName;
  /** The message whose digest goes into message-digest: the eContent, or the parent signature value for a countersignature. */
  readonly message: Uint8Array;
  /** Signed attributes other than message-digest. */
  readonly attributes: readonly Uint8Array[];
  readonly timestamper?: Timestamper | undefined;
  /** Bounds the key's signature: a timeout and the caller's cancellation. */
  readonly deadline?: SignDeadline | undefined;
}

/** A freshly built SignerInfo and the parts callers need. */
export interface BuiltSignerInfo {
  readonly der: Uint8Array;
  readonly version: 1 | 3;
  readonly signatureValue: Uint8Array;
}

interface SignerIdentifier {
  readonly version: 1 | 3;
  readonly sid: Uint8Array;
}

/** Per certificate, its encoded signer identifier: a feed signs every package with one certificate. */
const signerIdentifiers = new WeakMap<ParsedCertificate, SignerIdentifier>();

/**
 * SignerIdentifier ::= CHOICE { issuerAndSerialNumber IssuerAndSerialNumber, subjectKeyIdentifier [0] SubjectKeyIdentifier }
 * NuGet uses the SKI form when the certificate has the extension (spec §5.1).
 */
function signerIdentifier(certificate: ParsedCertificate): SignerIdentifier {
  let identifier = signerIdentifiers.get(certificate);
  if (!identifier) {
    identifier = certificate.subjectKeyIdentifier
      ? { version: 3, sid: element(0x80, certificate.subjectKeyIdentifier) }
      : { version: 1, sid: sequence(certificate.issuerNameDer, element(TAG.INTEGER, certificate.serialContent)) };
    signerIdentifiers.set(certificate, identifier);
  }
  return identifier;
}

/**
 * SignerInfo ::= SEQUENCE {
 *   version CMSVersion, sid SignerIdentifier, digestAlgorithm DigestAlgorithmIdentifier,
 *   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL, signatureAlgorithm SignatureAlgorithmIdentifier,
 *   signature SignatureValue, unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
 *
 * The signature covers the DER of the signed attributes as a SET OF (tag 0x31). Unless the key
 * proved when it was opened that it belongs to the certificate, the result is checked against the
 * certificate's public key before it is returned, so a key that signs wrongly (a misconfigured HSM
 * or KMS key that does not match the certificate) fails here, not at the client.
 */
export async function buildSignerInfo(request: SignerInfoRequest): Promise<BuiltSignerInfo> {
  const { nodeName } = hashAlgorithm(request.hash);
  const digest = createHash(nodeName).update(request.message).digest();
  const signedAttrs = setOf([...request.attributes, messageDigestAttribute(digest)]);
  const signatureValue = await signWithDeadline(request.key, { data: signedAttrs }, request.hash, request.deadline);
  // A public-key operation, a few percent of the signature's cost: cheaper here than another trip
  // through the thread pool. (OpenSSL checks its own RSA results, so a key held here needs none.)
  const valid = request.key.matchesCertificate === true || verifySignature(nodeName, signedAttrs, request.certificate.publicKey, signatureValue);
  if (!valid) {
    throw new ReposignError(
      'CERTIFICATE_MISMATCH',
      `The ${request.key.kind} key produced a signature that the certificate '${request.certificate.subject}' does not verify: the key and the certificate do not belong together.`,
    );
  }
  const { version, sid } = signerIdentifier(request.certificate);
  const parts = [
    integer(version),
    sid,
    digestAlgorithmIdentifier(request.hash),
    retag(signedAttrs, 0xa0),
    sequence(oid(OID.rsaEncryption), nullValue()),
    octetString(signatureValue),
  ];
  if (request.timestamper) {
    const token = await request.timestamper.timestamp(signatureValue);
    parts.push(retag(setOf([attribute(OID.signatureTimeStampToken, token.der)]), 0xa1));
  }
  return { der: sequence(...parts), version, signatureValue };
}
