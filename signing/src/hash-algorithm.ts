// SPDX-License-Identifier: MIT
// The three hash algorithms NuGet signing allows (spec §3.1), with their names in every dialect.

import { ReposignError } from './errors.js';

/** A hash algorithm NuGet accepts for package hashes, signer digests and ESSCertIDv2. */
export type HashAlgorithmName = 'SHA256' | 'SHA384' | 'SHA512';

export interface HashAlgorithmInfo {
  readonly name: HashAlgorithmName;
  /** Name for node:crypto. */
  readonly nodeName: 'sha256' | 'sha384' | 'sha512';
  /** Dotted OID. */
  readonly oid: string;
  /** Digest length in bytes. */
  readonly length: number;
}

const ALGORITHMS: Readonly<Record<HashAlgorithmName, HashAlgorithmInfo>> = {
  SHA256: { name: 'SHA256', nodeName: 'sha256', oid: '2.16.840.1.101.3.4.2.1', length: 32 },
  SHA384: { name: 'SHA384', nodeName: 'sha384', oid: '2.16.840.1.101.3.4.2.2', length: 48 },
  SHA512: { name: 'SHA512', nodeName: 'sha512', oid: '2.16.840.1.101.3.4.2.3', length: 64 },
};

/** Facts about a hash algorithm. */
export function hashAlgorithm(name: HashAlgorithmName): HashAlgorithmInfo {
  return ALGORITHMS[name];
}

/** The algorithm with this OID, or undefined when NuGet does not allow it. */
export function hashAlgorithmByOid(oid: string): HashAlgorithmInfo | undefined {
  return Object.values(ALGORITHMS).find((info) => info.oid === oid);
}

/**
 * Parses a user-supplied name such as `SHA256`, `sha-384` or `SHA512` (the spellings
 * `dotnet nuget sign --hash-algorithm` accepts). Throws INVALID_ARGUMENT otherwise.
 */
export function parseHashAlgorithm(text: string): HashAlgorithmName {
  const name = text.toUpperCase().replace('-', '');
  if (name === 'SHA256' || name === 'SHA384' || name === 'SHA512') return name;
  throw new ReposignError('INVALID_ARGUMENT', `Hash algorithm '${text}' is not supported; use SHA256, SHA384 or SHA512.`);
}
