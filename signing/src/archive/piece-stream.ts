// SPDX-License-Identifier: MIT
// Streams a piece view through a sink with two fixed 1 MiB buffers: the next chunk is read while the
// previous one is hashed or written, and memory stays constant whatever the package size.

import type { FileHandle } from 'node:fs/promises';
import { ReposignError } from '../errors.js';
import type { ArchivePiece } from './archive-piece.js';

const CHUNK_SIZE = 1 << 20;

/** Something that supports positioned reads, like a FileHandle or a PackageArchive. */
export interface PositionedSource {
  read(buffer: Uint8Array, position: number): Promise<number>;
}

/** Positioned reads through an open FileHandle. */
export function fileSource(handle: FileHandle): PositionedSource {
  return { read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead };
}

/** Fills `buffer` from `position`; throws ARCHIVE_TRUNCATED when the file ends first (it shrank under us). */
export async function readFully(source: PositionedSource, buffer: Uint8Array, position: number): Promise<Uint8Array> {
  let filled = 0;
  while (filled < buffer.length) {
    const count = await source.read(buffer.subarray(filled), position + filled);
    if (count === 0) throw new ReposignError('ARCHIVE_TRUNCATED', 'The package file ended early; was it changed while in use?');
    filled += count;
  }
  return buffer;
}

/**
 * Feeds every byte of `pieces`, in order, to `sink`. A chunk handed to `sink` is only valid until the
 * sink's promise settles (its buffer is then reused), so a sink must hash or write it right away.
 */
export async function streamPieces(
  source: PositionedSource,
  pieces: readonly ArchivePiece[],
  sink: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  const buffers = [new Uint8Array(CHUNK_SIZE), new Uint8Array(CHUNK_SIZE)] as const;
  let turn = 0;
  let inFlight: Promise<Uint8Array> | undefined;
  const drain = async (): Promise<void> => {
    if (inFlight === undefined) return;
    const chunk = await inFlight;
    inFlight = undefined;
    await sink(chunk);
  };
  for (const piece of pieces) {
    if (piece.kind === 'bytes') {
      await drain();
      await sink(piece.bytes);
      continue;
    }
    for (let position = piece.start; position < piece.end; position += CHUNK_SIZE) {
      const length = Math.min(CHUNK_SIZE, piece.end - position);
      const next = readFully(source, buffers[turn].subarray(0, length), position);
      // The rejection is observed when `next` is drained; this only stops it counting as unhandled meanwhile.
      next.catch(() => undefined);
      turn ^= 1;
      await drain();
      inFlight = next;
    }
  }
  await drain();
}
