// SPDX-License-Identifier: MIT
// Test-only builders for the CMS tests: signing keys from the openssl test PKI and author-style
// primary signatures (proof-of-origin), which reposign never makes itself but must countersign.

import { parseCertificate, type ParsedCertificate } from '../../../src/certificates/certificate.js';
import { attribute, contentTypeDataAttribute, digestAlgorithmIdentifier, signingCertificateV2 } from '../../../src/cms/attributes.js';
import {
  element,
  explicit,
  integer,
  octetString,
  oid,
  readTlv,
  retag,
  sequence,
  setOf,
  time,
  tlvContent,
} from '../../../src/cms/der.js';
import { OID } from '../../../src/cms/oids.js';
import type { RepositorySignatureRequest } from '../../../src/cms/repository-signer.js';
import { encodeSignatureContent } from '../../../src/cms/signature-content.js';
import { buildSignerInfo } from '../../../src/cms/signer-info.js';
import type { HashAlgorithmName } from '../../../src/hash-algorithm.js';
import { openPemKey } from '../../../src/index.js';
import type { SigningKey } from '../../../src/signing-key.js';
import type { TestCertificate } from '../../helpers/pki.js';

/** Opens a PEM SigningKey for a test certificate, with `issuers` as its chain. */
export function openTestKey(certificate: TestCertificate, issuers: readonly TestCertificate[] = []): Promise<SigningKey> {
  return openPemKey({
    certificatePem: certificate.certPem,
    privateKeyPem: certificate.keyPem,
    chainPem: issuers.map((issuer) => issuer.certPem).join(''),
  });
}

/** A repository signature request for `key`, SHA-256, fixed signing time, no timestamp. */
export function repositoryRequest(key: SigningKey, overrides: Partial<RepositorySignatureRequest> = {}): RepositorySignatureRequest {
  return {
    key,
    chain: key.certificateChain().map(parseCertificate),
    hash: 'SHA256',
    serviceIndexUrl: 'https://example.com/v3/index.json',
    signingTime: new Date('2024-05-17T12:30:45Z'),
    ...overrides,
  };
}

/** Unsigned attribute that looks like a timestamp token (it is not one; nothing parses it as such). */
export const FAKE_TIMESTAMP_ATTRIBUTE = attribute(OID.signatureTimeStampToken, sequence(oid('1.2.3.4'), octetString(Uint8Array.of(1, 2, 3))));

/** Options of {@link createAuthorSignature}. */
export interface AuthorSignatureOptions {
  readonly hash?: HashAlgorithmName;
  /** Encoded Attribute elements for the author SignerInfo's `[1]` field. */
  readonly unsignedAttributes?: readonly Uint8Array[];
  /** Commitment type OID; default proof-of-origin. Undefined with `noCommitment`. */
  readonly commitment?: string;
  readonly noCommitment?: boolean;
}

/** SignerInfo bytes with an extra `[1]` unsigned attribute set appended. */
export function withUnsignedAttributes(signerInfoDer: Uint8Array, unsigned: readonly Uint8Array[]): Uint8Array {
  if (unsigned.length === 0) return signerInfoDer;
  return element(0x30, tlvContent(readTlv(signerInfoDer)), retag(setOf(unsigned), 0xa1));
}

/** An author-style primary signature (proof-of-origin, no service index URL) over `packageHash`. */
export async function createAuthorSignature(
  packageHash: Uint8Array,
  key: SigningKey,
  options: AuthorSignatureOptions = {},
): Promise<Uint8Array> {
  const hash = options.hash ?? 'SHA256';
  const chain = key.certificateChain().map(parseCertificate);
  const leaf = chain[0];
  const content = encodeSignatureContent(hash, packageHash);
  const signerInfo = await buildSignerInfo({
    key,
    certificate: leaf,
    hash,
    message: content,
    attributes: [contentTypeDataAttribute(), ...authorAttributes(leaf, hash, options)],
  });
  const signedData = sequence(
    integer(signerInfo.version),
    setOf([digestAlgorithmIdentifier(hash)]),
    sequence(oid(OID.data), explicit(0, octetString(content))),
    retag(setOf(chain.map((certificate) => certificate.der)), 0xa0),
    setOf([withUnsignedAttributes(signerInfo.der, options.unsignedAttributes ?? [])]),
  );
  return sequence(oid(OID.signedData), explicit(0, signedData));
}

function authorAttributes(leaf: ParsedCertificate, hash: HashAlgorithmName, options: AuthorSignatureOptions): Uint8Array[] {
  const attributes = [attribute(OID.signingTime, time(new Date('2024-01-02T03:04:05Z'))), signingCertificateV2(leaf, hash)];
  if (!options.noCommitment) {
    attributes.push(attribute(OID.commitmentTypeIndication, sequence(oid(options.commitment ?? OID.proofOfOrigin))));
  }
  return attributes;
}

/** A countersigner SignerInfo without commitment type ("unknown" to NuGet), over `parentSignature`. */
export async function createUnknownCountersigner(parentSignature: Uint8Array, key: SigningKey): Promise<Uint8Array> {
  const leaf = parseCertificate(key.certificateChain()[0]);
  const built = await buildSignerInfo({
    key,
    certificate: leaf,
    hash: 'SHA256',
    message: parentSignature,
    attributes: [attribute(OID.signingTime, time(new Date('2024-02-03T04:05:06Z'))), signingCertificateV2(leaf, 'SHA256')],
  });
  return built.der;
}
