// SPDX-License-Identifier: MIT
// The SigningKey of every remote-key backend (KMS, HSM): one remote call per signature, through
// the key's RemoteCaller (timeouts, retries, circuit breaker), and a certificate chain from a file
// or self-issued by the remote key. A backend supplies only its raw operations.

import { keyOnlyCertificateChain, publicKeyDigest } from '../../certificates/remote-issued-certificate.js';
import type { HashAlgorithmName } from '../../hash-algorithm.js';
import { signInputDigest, type SignInput, type SigningKey, type SignOptions } from '../../signing-key.js';
import type { RemoteCaller } from './resilience.js';

/** Milliseconds a revision check may take in all, retries included. */
const REVISION_TIMEOUT_MS = 60_000;

/** The raw operations of a remote key, each one request to its service, with clients created once at open. */
export interface RemoteKeyOperations {
  /** Signs a digest with RSASSA-PKCS1-v1_5 under `hash`; returns the raw signature. */
  signDigest(digest: Uint8Array, hash: HashAlgorithmName, signal: AbortSignal): Promise<Uint8Array>;
  /** The key's current public key, DER SubjectPublicKeyInfo. */
  publicKey(signal: AbortSignal): Promise<Uint8Array>;
  /** Releases clients, sessions and modules. */
  close?(): Promise<void>;
}

/** What {@link openRemoteSigningKey} needs. */
export interface RemoteSigningKeyOptions {
  /** The backend kind (`AwsKms`). */
  readonly kind: string;
  /** The key in messages: `AWS KMS key alias/nuget in eu-west-1`. */
  readonly keyName: string;
  /** A stable identity of the key for its revision (a key ARN, a token and key label). */
  readonly keyIdentity: string;
  readonly operations: RemoteKeyOperations;
  /** The key's caller: every request goes through it. */
  readonly caller: RemoteCaller;
  /** The public key read at open (DER SPKI): checked for RSA ≥ 2048 and matched with the certificate. */
  readonly spki: Uint8Array;
  /** A PEM chain file; empty self-issues a certificate through the key. */
  readonly certificatePath: string;
  /** The setting that names the chain file, for messages. */
  readonly certificateSetting: string;
  /** Signature hash of a self-issued certificate. */
  readonly certificateHash?: HashAlgorithmName;
  /** Aborts the open. */
  readonly signal: AbortSignal;
}

class RemoteSigningKey implements SigningKey {
  readonly kind: string;
  readonly #options: RemoteSigningKeyOptions;
  #chain: readonly Uint8Array[] = [];
  #closed = false;

  constructor(options: RemoteSigningKeyOptions) {
    this.kind = options.kind;
    this.#options = options;
  }

  async load(): Promise<this> {
    const { kind, keyName, spki, certificatePath, certificateSetting, certificateHash, signal } = this.#options;
    this.#chain = await keyOnlyCertificateChain({
      spki,
      keyName,
      certificatePath,
      certificateSetting,
      subject: `CN=reposign repository signing (${kind})`,
      hashAlgorithm: certificateHash,
      signer: this,
      signal,
    });
    return this;
  }

  certificateChain(): readonly Uint8Array[] {
    return this.#chain;
  }

  sign(input: SignInput, hash: HashAlgorithmName, options: SignOptions): Promise<Uint8Array> {
    const digest = signInputDigest(input, hash);
    return this.#options.caller.call('Sign', (signal) => this.#options.operations.signDigest(digest, hash, signal), options.signal);
  }

  /** The key identity and a digest of its current public key: changes when an alias or label is pointed at another key. */
  async revision(): Promise<string> {
    const spki = await this.#options.caller.call('GetPublicKey', (signal) => this.#options.operations.publicKey(signal), AbortSignal.timeout(REVISION_TIMEOUT_MS));
    return `${this.#options.keyIdentity}#${publicKeyDigest(spki)}`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#options.operations.close?.();
  }
}

/**
 * Opens a remote key: checks its public key (KEY_UNSUPPORTED unless RSA ≥ 2048), loads or
 * self-issues its certificate (CERTIFICATE_MISMATCH when a configured certificate is not the
 * key's), and returns a SigningKey whose every request goes through `caller`. Closes the
 * operations when the open fails.
 */
export async function openRemoteSigningKey(options: RemoteSigningKeyOptions): Promise<SigningKey> {
  const key = new RemoteSigningKey(options);
  try {
    return await key.load();
  } catch (error) {
    await key.close();
    throw error;
  }
}
