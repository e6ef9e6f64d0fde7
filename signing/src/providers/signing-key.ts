// SPDX-License-Identifier: MIT
// The two small interfaces every key backend implements. CMS code receives a SigningKey and never
// learns which backend made it.

import type { HashAlgorithmName } from '../hash-algorithm.js';

/** An open signing key: a certificate chain and an RSA private key that signs bytes. */
export interface SigningKey {
  /** The backend that opened the key, for logs and reports (`pfx`, `pem`, `self-signed`, ...). */
  readonly kind: string;
  /** DER certificates, the signing (leaf) certificate first, then issuers up to and including the root when known. */
  certificateChain(): readonly Uint8Array[];
  /**
   * Signs `toBeSigned` with RSASSA-PKCS1-v1_5 over `hash(toBeSigned)` and returns the raw signature
   * octets. Remote backends hash locally and send only the digest.
   */
  sign(toBeSigned: Uint8Array, hash: HashAlgorithmName): Promise<Uint8Array>;
  /** Releases sessions or handles. Idempotent. */
  close(): Promise<void>;
}

/** A validation finding: `path` names the offending setting. */
export interface KeySpecProblem {
  readonly path: string;
  readonly message: string;
}

/** A key backend: checks a key reference without I/O, then opens it. */
export interface SigningProvider<Spec> {
  readonly kind: string;
  /** Checks the spec without I/O. Returns every problem found, or an empty list. */
  validate(spec: Spec): readonly KeySpecProblem[];
  /** Opens the key. Throws ReposignError (KEY_* or CERTIFICATE_*) on failure. */
  open(spec: Spec): Promise<SigningKey>;
}
