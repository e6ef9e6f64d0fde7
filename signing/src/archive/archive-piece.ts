// SPDX-License-Identifier: MIT
// A byte view of a package built from pieces: ranges of the input file and small literal byte runs.
// The unsigned package (spec §3.2, C1) is such a view, so it can be hashed or written without a copy.

/** One piece of a byte view: `[start, end)` of the archive file, or literal bytes. */
export type ArchivePiece = { kind: 'range'; start: number; end: number } | { kind: 'bytes'; bytes: Uint8Array };

/** Appends the file range `[start, end)` to `pieces`, merging it with a directly preceding range; empty ranges are dropped. */
export function pushRange(pieces: ArchivePiece[], start: number, end: number): void {
  if (end <= start) return;
  const last = pieces[pieces.length - 1];
  if (last?.kind === 'range' && last.end === start) {
    pieces[pieces.length - 1] = { kind: 'range', start: last.start, end };
    return;
  }
  pieces.push({ kind: 'range', start, end });
}

/** Appends literal bytes to `pieces` (empty runs are dropped). */
export function pushBytes(pieces: ArchivePiece[], bytes: Uint8Array): void {
  if (bytes.length > 0) pieces.push({ kind: 'bytes', bytes });
}

/** The total length in bytes of a view. */
export function piecesLength(pieces: readonly ArchivePiece[]): number {
  return pieces.reduce((sum, piece) => sum + (piece.kind === 'range' ? piece.end - piece.start : piece.bytes.length), 0);
}
