// SPDX-License-Identifier: MIT
// The open key every backend returns. CMS code receives a SigningKey and never learns which
// backend made it; a key may live in this process, in a KMS or in an HSM.

import { createHash } from 'node:crypto';

import { ReposignError } from './errors.js';
import { nullValue, octetString, oid, sequence } from './cms/der.js';
import type { HashAlgorithmName } from './hash-algorithm.js';
import { hashAlgorithm } from './hash-algorithm.js';

/**
 * What to sign: the to-be-signed bytes themselves, or their digest under the signing hash. Keys
 * accept both; remote keys send only a digest, so the engine may hand them either form.
 */
export type SignInput = { readonly data: Uint8Array } | { readonly digest: Uint8Array };

/** Per-call options of {@link SigningKey.sign}. */
export interface SignOptions {
  /** Aborted when the caller gives up (timeout or cancellation): stop the request and reject. */
  readonly signal: AbortSignal;
}

/** An open signing key: a certificate chain and an RSA private key, wherever that key lives. */
export interface SigningKey {
  /** The backend that opened the key, for logs and reports (`StoredCertificate`, `SelfSigned`, ...). */
  readonly kind: string;
  /**
   * True when the key was proven, as it was opened, to be the private half of its leaf certificate
   * (a key held in this process, whose public key was compared with the certificate's), so that its
   * signatures need no check against the certificate. Absent for a key that lives elsewhere and may
   * change under the same name (a KMS or HSM key): each of its signatures is verified.
   */
  readonly matchesCertificate?: boolean;
  /** DER certificates, the signing (leaf) certificate first, then issuers up to and including the root when known. */
  certificateChain(): readonly Uint8Array[];
  /**
   * Signs with RSASSA-PKCS1-v1_5 over `hash` and returns the raw signature octets. `input` is the
   * data (the key hashes it) or its digest. Rejects promptly once `options.signal` aborts.
   */
  sign(input: SignInput, hash: HashAlgorithmName, options: SignOptions): Promise<Uint8Array>;
  /**
   * The current revision of the key's source, as an opaque string that changes when the source
   * does: a digest of the files a file key was read from, later a KMS key version. A reloader
   * compares successive values and opens the key again on a change. Absent when the source cannot
   * change under a running key.
   */
  revision?(): Promise<string>;
  /** Releases sessions or handles. Idempotent. */
  close(): Promise<void>;
}

/** The digest `input` stands for: given as is, or computed from its data. For remote backends, which send only digests. */
export function signInputDigest(input: SignInput, hash: HashAlgorithmName): Uint8Array {
  return 'digest' in input ? input.digest : createHash(hashAlgorithm(hash).nodeName).update(input.data).digest();
}

/**
 * DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
 * (RFC 8017 §9.2): what PKCS#1 v1.5 signs, for keys that take it rather than a digest (a local
 * raw RSA operation, PKCS#11 CKM_RSA_PKCS). Throws INVALID_ARGUMENT for a digest of the wrong length.
 */
export function digestInfo(hash: HashAlgorithmName, digest: Uint8Array): Uint8Array {
  const info = hashAlgorithm(hash);
  if (digest.length !== info.length) {
    throw new ReposignError('INVALID_ARGUMENT', `A ${hash} digest has ${info.length} bytes, not ${digest.length}.`);
  }
  return sequence(sequence(oid(info.oid), nullValue()), octetString(digest));
}
