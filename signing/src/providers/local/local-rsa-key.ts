// SPDX-License-Identifier: MIT
// A SigningKey whose RSA private key is in this process (StoredCertificate and SelfSigned backends).

import { constants, createPublicKey, privateEncrypt, sign, type KeyObject } from 'node:crypto';

import { ReposignError } from '../../errors.js';
import { parseCertificate } from '../../certificates/certificate.js';
import { assertSigningCertificate } from '../../certificates/signing-certificate-policy.js';
import { hashAlgorithm, type HashAlgorithmName } from '../../hash-algorithm.js';
import { digestInfo, type SignInput, type SigningKey, type SignOptions } from '../../signing-key.js';

/** Signs data on the libuv thread pool (the asynchronous form of crypto.sign), off the event loop. */
function signData(data: Uint8Array, hash: HashAlgorithmName, privateKey: KeyObject): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // node:crypto signs RSA keys with PKCS#1 v1.5 padding unless told otherwise.
    sign(hashAlgorithm(hash).nodeName, data, privateKey, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}

class LocalRsaSigningKey implements SigningKey {
  readonly kind: string;
  /** The leaf was chosen by comparing its public key with this private key's (orderChain). */
  readonly matchesCertificate = true;
  readonly revision: (() => Promise<string>) | undefined;
  readonly #privateKey: KeyObject;
  readonly #chain: readonly Uint8Array[];

  constructor(kind: string, privateKey: KeyObject, chain: readonly Uint8Array[], revision: (() => Promise<string>) | undefined) {
    this.kind = kind;
    this.revision = revision;
    this.#privateKey = privateKey;
    this.#chain = chain;
  }

  certificateChain(): readonly Uint8Array[] {
    return this.#chain;
  }

  async sign(input: SignInput, hash: HashAlgorithmName, options: SignOptions): Promise<Uint8Array> {
    options.signal.throwIfAborted();
    if ('data' in input) return signData(input.data, hash, this.#privateKey);
    // No asynchronous raw-RSA primitive exists in node:crypto; one private operation is short.
    return privateEncrypt({ key: this.#privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, input.digest));
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
 * Whether an RSA key's certificate declares it an RSA-PSS key: a PFX reader may hand such a key over
 * as plain RSA. Both public key infos end in the same RSAPublicKey; only the algorithm differs.
 */
function certifiedAsRsaPss(privateKey: KeyObject, certificates: readonly Uint8Array[]): boolean {
  if (privateKey.asymmetricKeyType !== 'rsa') return false;
  const rsaPublicKey = createPublicKey(privateKey).export({ type: 'pkcs1', format: 'der' });
  return certificates.map(parseCertificate).some((certificate) => {
    if (certificate.keyType !== 'rsa-pss') return false;
    const spki = publicDer(certificate.publicKey);
    return spki.subarray(spki.length - rsaPublicKey.length).equals(rsaPublicKey);
  });
}

/**
 * Wraps an in-process RSA private key and its certificates as a SigningKey; `revision` reports the
 * revision of the files it came from (see {@link SigningKey.revision}). Throws KEY_UNSUPPORTED for
 * a non-RSA key and CERTIFICATE_MISMATCH when no certificate belongs to the key.
 */
export function createLocalRsaKey(
  kind: string,
  privateKey: KeyObject,
  certificates: readonly Uint8Array[],
  revision?: () => Promise<string>,
): SigningKey {
  if (privateKey.asymmetricKeyType === 'rsa-pss' || certifiedAsRsaPss(privateKey, certificates)) {
    // The client cannot load an RSA-PSS key at all: `dotnet nuget sign` stops with NU3001.
    throw new ReposignError('KEY_UNSUPPORTED', 'The private key is RSA-PSS, which the NuGet client cannot load; NuGet signatures need a PKCS#1 v1.5 RSA key (NU3001).', {
      nugetCode: 'NU3001',
    });
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    // The client judges the certificate before the key, so its verdict on the chain comes first
    // (an EC certificate signed with ECDSA is NU3013).
    assertSigningCertificate(orderChain(privateKey, certificates).map(parseCertificate));
    throw new ReposignError('KEY_UNSUPPORTED', `The private key is ${String(privateKey.asymmetricKeyType).toUpperCase()}; NuGet signatures need an RSA key (NU3014).`, {
      nugetCode: 'NU3014',
    });
  }
  return new LocalRsaSigningKey(kind, privateKey, orderChain(privateKey, certificates), revision);
}
