// SPDX-License-Identifier: MIT
// The SignerInfo of a repository signature, shared by the primary signature and the countersignature.

import type { ParsedCertificate } from '../certificates/certificate.js';
import type { HashAlgorithmName } from '../hash-algorithm.js';
import type { SigningKey } from '../signing-key.js';
import type { SignDeadline } from '../sign-with-deadline.js';
import type { Timestamper } from '../timestamp/index.js';
import { repositoryAttributes } from './attributes.js';
import { buildSignerInfo, type BuiltSignerInfo } from './signer-info.js';

/** Everything a repository signature needs besides the package. */
export interface RepositorySignatureRequest {
  readonly key: SigningKey;
  /** The key's chain, parsed: the leaf first. */
  readonly chain: readonly ParsedCertificate[];
  readonly hash: HashAlgorithmName;
  readonly serviceIndexUrl: string;
  readonly packageOwners?: readonly string[] | undefined;
  readonly timestamper?: Timestamper | undefined;
  readonly signingTime: Date;
  /** Bounds the key's signature: a timeout and the caller's cancellation. */
  readonly deadline?: SignDeadline | undefined;
}

/**
 * Builds and signs the SignerInfo of a repository signature over `message` (the eContent for a
 * primary, the author's signature value for a countersignature), with the repository attributes
 * plus `extraAttributes`.
 */
export function buildRepositorySignerInfo(
  request: RepositorySignatureRequest,
  message: Uint8Array,
  extraAttributes: readonly Uint8Array[] = [],
): Promise<BuiltSignerInfo> {
  const leaf = request.chain[0];
  return buildSignerInfo({
    key: request.key,
    certificate: leaf,
    hash: request.hash,
    message,
    attributes: [
      ...extraAttributes,
      ...repositoryAttributes({
        certificate: leaf,
        hash: request.hash,
        serviceIndexUrl: request.serviceIndexUrl,
        packageOwners: request.packageOwners,
        signingTime: request.signingTime,
      }),
    ],
    timestamper: request.timestamper,
    deadline: request.deadline,
  });
}
