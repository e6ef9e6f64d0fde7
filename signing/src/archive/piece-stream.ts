// SPDX-License-Identifier: MIT
// Streams a piece view through a sink. A file is read through two pooled buffers of 1 MiB: the next
// chunk is read while the previous one is hashed or written, and memory stays constant whatever the
// package size. A source held in memory is handed out as views, 1 MiB at a time, without a copy.

import type { FileHandle } from 'node:fs/promises';
import { BufferPool } from '../buffer-pool.js';
import { ReposignError } from '../errors.js';
import type { ArchivePiece } from './archive-piece.js';

const CHUNK_SIZE = 1 << 20;

/**
 * The 1 MiB buffers file chunks are read into, reused from stream to stream: the engine's streams and
 * the feed's downloads share them. Memory a process has not touched before costs a page fault per
 * 4 KiB on first use, and on a virtual machine a fault can take 10 µs or more: two new 1 MiB buffers
 * then cost more than hashing 10 MB. At most 8 are kept.
 */
export const chunkBuffers = new BufferPool(CHUNK_SIZE, 8);

/**
 * The bytes of a pooled Buffer as a plain Uint8Array, whose slice() copies: Buffer's returns a view,
 * which would keep a reference to memory the pool hands out again.
 */
export function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/** Something that supports positioned reads, like a FileHandle or a PackageArchive. */
export interface PositionedSource {
  read(buffer: Uint8Array, position: number): Promise<number>;
  /** The whole file, when it is held in memory: ranges are then views of it rather than reads. */
  readonly bytes?: Uint8Array | undefined;
}

/** Positioned reads through an open FileHandle. */
export function fileSource(handle: FileHandle): PositionedSource {
  return { read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead };
}

/** Positioned reads of bytes already in memory (a small package read whole). */
export function memorySource(bytes: Uint8Array): PositionedSource {
  return {
    bytes,
    read: async (buffer, position) => {
      const part = bytes.subarray(position, position + buffer.length);
      buffer.set(part);
      return part.length;
    },
  };
}

function truncated(): ReposignError {
  return new ReposignError('ARCHIVE_TRUNCATED', 'The package file ended early; was it changed while in use?');
}

/** Fills `buffer` from `position`; throws ARCHIVE_TRUNCATED when the file ends first (it shrank under us). */
export async function readFully(source: PositionedSource, buffer: Uint8Array, position: number): Promise<Uint8Array> {
  let filled = 0;
  while (filled < buffer.length) {
    const count = await source.read(buffer.subarray(filled), position + filled);
    if (count === 0) throw truncated();
    filled += count;
  }
  return buffer;
}

/**
 * `length` bytes from `position`: a view when the source is in memory (valid as long as the source),
 * otherwise a new buffer filled by reads. Throws ARCHIVE_TRUNCATED when the file ends first.
 */
export async function readRange(source: PositionedSource, position: number, length: number): Promise<Uint8Array> {
  const { bytes } = source;
  if (bytes === undefined) return readFully(source, new Uint8Array(length), position);
  if (position + length > bytes.length) throw truncated();
  return bytes.subarray(position, position + length);
}

/** Lets the event loop turn between two chunks of in-memory work, as a read between two file chunks does. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function streamMemory(bytes: Uint8Array, pieces: readonly ArchivePiece[], sink: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
  let sinceTurn = 0;
  for (const piece of pieces) {
    if (piece.kind === 'bytes') {
      await sink(piece.bytes);
      continue;
    }
    if (piece.end > bytes.length) throw truncated();
    for (let position = piece.start; position < piece.end; position += CHUNK_SIZE) {
      const chunk = bytes.subarray(position, Math.min(piece.end, position + CHUNK_SIZE));
      if (sinceTurn >= CHUNK_SIZE) {
        await nextTurn();
        sinceTurn = 0;
      }
      await sink(chunk);
      sinceTurn += chunk.length;
    }
  }
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
  if (source.bytes !== undefined) return streamMemory(source.bytes, pieces, sink);
  const taken = [chunkBuffers.take(), chunkBuffers.take()] as const;
  const buffers = [plainBytes(taken[0]), plainBytes(taken[1])] as const;
  let turn = 0;
  let inFlight: Promise<Uint8Array> | undefined;
  // The read issued last: a buffer goes back to the pool only once no read can still fill it.
  let lastRead: Promise<unknown> = Promise.resolve();
  const drain = async (): Promise<void> => {
    if (inFlight === undefined) return;
    const chunk = await inFlight;
    inFlight = undefined;
    await sink(chunk);
  };
  try {
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
        lastRead = next.catch(() => undefined);
        turn ^= 1;
        await drain();
        inFlight = next;
      }
    }
    await drain();
  } finally {
    await lastRead;
    for (const buffer of taken) chunkBuffers.give(buffer);
  }
}
