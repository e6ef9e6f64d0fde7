// SPDX-License-Identifier: MIT
// The package hash a NuGet signature commits to (spec §3.2): the hash of the package's unsigned bytes.

import { createHash } from 'node:crypto';
import { hashAlgorithm, type HashAlgorithmName } from '../hash-algorithm.js';
import type { ArchivePiece } from './archive-piece.js';
import type { PackageArchive } from './package-archive.js';
import { streamPieces, type PositionedSource } from './piece-stream.js';

/** Hashes a piece view of `source` with `hash`, streaming. */
export async function hashPieces(source: PositionedSource, pieces: readonly ArchivePiece[], hash: HashAlgorithmName): Promise<Uint8Array> {
  const hasher = createHash(hashAlgorithm(hash).nodeName);
  await streamPieces(source, pieces, (chunk) => {
    hasher.update(chunk);
  });
  return new Uint8Array(hasher.digest());
}

/**
 * The §3.2 package hash of `archive`: what NuGet's verifier computes for a signed package, which is
 * the plain hash of the unsigned package bytes (and of the whole file when there is no signature).
 */
export async function computePackageHash(archive: PackageArchive, hash: HashAlgorithmName): Promise<Uint8Array> {
  return hashPieces(archive, archive.unsignedPieces(), hash);
}
