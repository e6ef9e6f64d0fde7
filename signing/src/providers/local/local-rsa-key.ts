// SPDX-License-Identifier: MIT
// A SigningKey whose RSA private key is in this process (PFX, PEM or self-signed backends).

import { createPublicKey, sign, type KeyObject } from 'node:crypto';

import { ReposignError } from '../../errors.js';
import { parseCertificate } from '../../certificates/certificate.js';
import { hashAlgorithm, type HashAlgorithmName } from '../../hash-algorithm.js';
import type { SigningKey } from '../signing-key.js';

class LocalRsaSigningKey implements SigningKey {
  readonly kind: string;
  readonly #privateKey: KeyObject;
  readonly #chain: readonly Uint8Array[];

  constructor(kind: string, privateKey: KeyObject, chain: readonly Uint8Array[]) {
    this.kind = kind;
    this.#privateKey = privateKey;
    this.#chain = chain;
  }

  certificateChain(): readonly Uint8Array[] {
    return this.#chain;
  }

  async sign(toBeSigned: Uint8Array, hash: HashAlgorithmName): Promise<Uint8Array> {
    // node:crypto signs RSA keys with PKCS#1 v1.5 padding unless told otherwise.
    return sign(hashAlgorithm(hash).nodeName, toBeSigned, this.#privateKey);
  }

  async close(): Promise<void> {}
}

function publicDer(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'der' });
}

/**
 * Orders `certificates` into a chain that starts with the certificate of `privateKey` and follows
 * issuers as far as the given certificates go. Certificates that are not part of that chain are dropped.
 */
export function orderChain(privateKey: KeyObject, certificates: readonly Uint8Array[]): Uint8Array[] {
  const parsed = certificates.map(parseCertificate);
  const keyDer = publicDer(privateKey);
  const leaf = parsed.find((certificate) => keyDer.equals(publicDer(certificate.publicKey)));
  if (!leaf) {
    throw new ReposignError('CERTIFICATE_MISMATCH', 'None of the certificates belongs to the private key.');
  }
  const chain = [leaf];
  for (let current = leaf; !current.selfIssued; ) {
    const issuer = parsed.find(
      (candidate) =>
        !chain.includes(candidate) && Buffer.from(candidate.subjectNameDer).equals(current.issuerNameDer),
    );
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain.map((certificate) => certificate.der);
}

/**
 * Wraps an in-process RSA private key and its certificates as a SigningKey. Throws KEY_UNSUPPORTED
 * for a non-RSA key and CERTIFICATE_MISMATCH when no certificate belongs to the key.
 */
export function createLocalRsaKey(kind: string, privateKey: KeyObject, certificates: readonly Uint8Array[]): SigningKey {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new ReposignError(
      'KEY_UNSUPPORTED',
      `The private key is ${String(privateKey.asymmetricKeyType).toUpperCase()}; NuGet signatures need an RSA key (NU3014).`,
    );
  }
  return new LocalRsaSigningKey(kind, privateKey, orderChain(privateKey, certificates));
}
