// SPDX-License-Identifier: MIT
// The package with its signature entry removed, as a piece view (spec §3.2 steps 4-8 and C1): the
// verifier's hash input, and the bytes the signer writes back out.

import { pushBytes, pushRange, type ArchivePiece } from './archive-piece.js';
import type { PackageArchive } from './package-archive.js';
import { encodeEndOfCentralDirectory, u32le } from './zip-records.js';

/** The unsigned package split into its three regions, plus the EOCD values describing it. */
export interface UnsignedLayout {
  /** The local entries, `[0, entriesLength)` of the unsigned package. */
  readonly entryPieces: readonly ArchivePiece[];
  readonly entriesLength: number;
  /** True when the local entries are the single input range `[0, entriesLength)`. */
  readonly entriesContiguous: boolean;
  /** The central directory, with local header offsets rebased. */
  readonly centralDirectoryPieces: readonly ArchivePiece[];
  readonly centralDirectorySize: number;
  readonly entryCount: number;
  readonly comment: Uint8Array;
  /** The EOCD of the unsigned package, comment included. */
  readonly endOfCentralDirectory: Uint8Array;
  /** Everything, EOCD included. */
  readonly pieces: readonly ArchivePiece[];
}

const OFFSET_FIELD = 42;
const AFTER_OFFSET_FIELD = 46;

/**
 * Computes the unsigned view of `archive`. `open` guarantees the first local header is at 0 and the
 * spans tile `[0, cdStart)`, so step 5 of §3.2 (`Z[0 : firstLocal]`) is always empty here.
 */
export function unsignedLayout(archive: PackageArchive): UnsignedLayout {
  const signature = archive.signatureEntry;
  const kept = archive.entries.filter((entry) => entry !== signature);
  const byOffset = [...kept].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);

  const entryPieces: ArchivePiece[] = [];
  const delta = new Map<(typeof kept)[number], number>();
  let runEnd = 0;
  for (const entry of byOffset) {
    delta.set(entry, runEnd - entry.localHeaderOffset);
    pushRange(entryPieces, entry.localHeaderOffset, entry.localHeaderOffset + entry.span);
    runEnd += entry.span;
  }

  const centralDirectoryPieces: ArchivePiece[] = [];
  for (const entry of kept) {
    const shift = delta.get(entry) ?? 0;
    const start = entry.centralDirectoryOffset;
    const end = start + entry.centralDirectoryRecordSize;
    if (shift === 0) {
      pushRange(centralDirectoryPieces, start, end);
    } else {
      pushRange(centralDirectoryPieces, start, start + OFFSET_FIELD);
      pushBytes(centralDirectoryPieces, u32le(entry.localHeaderOffset + shift));
      pushRange(centralDirectoryPieces, start + AFTER_OFFSET_FIELD, end);
    }
  }

  const centralDirectorySize = archive.centralDirectorySize - (signature?.centralDirectoryRecordSize ?? 0);
  const entriesLength = archive.centralDirectoryOffset - (signature?.span ?? 0);
  const end = encodeEndOfCentralDirectory({
    diskNumber: 0,
    centralDirectoryDisk: 0,
    entriesOnDisk: kept.length,
    totalEntries: kept.length,
    centralDirectorySize,
    centralDirectoryOffset: entriesLength,
    comment: archive.comment,
  });
  const first = entryPieces[0];
  const entriesContiguous =
    entryPieces.length === 0 || (entryPieces.length === 1 && first?.kind === 'range' && first.start === 0);
  const pieces: ArchivePiece[] = [];
  for (const piece of [...entryPieces, ...centralDirectoryPieces]) {
    if (piece.kind === 'range') pushRange(pieces, piece.start, piece.end);
    else pushBytes(pieces, piece.bytes);
  }
  if (signature === undefined) pushRange(pieces, archive.eocdOffset, archive.size);
  else pushBytes(pieces, end);
  return {
    entryPieces,
    entriesLength,
    entriesContiguous,
    centralDirectoryPieces,
    centralDirectorySize,
    entryCount: kept.length,
    comment: archive.comment,
    endOfCentralDirectory: end,
    pieces,
  };
}
