// SPDX-License-Identifier: MIT
// Writes an open file to a response through pooled buffers: a package of up to 1 MiB, as most are,
// in one read and one write; a larger one through two buffers, the next chunk read while the
// previous one is being written, a buffer reused only once the socket has taken its bytes.

import type { Writable } from 'node:stream';
import { chunkBuffers as chunks } from '@reposign/signing';

/**
 * One read and one write per MiB (the engine's chunk buffers, shared with its signings: at most 8
 * MiB kept, more allocated and dropped): each read waits its turn in libuv's thread pool and each
 * write for the socket, and while pushes keep both busy, every extra step adds to a download's time.
 */
const CHUNK_BYTES = chunks.size;

/** Resolves once `destination` has handed `chunk` to the operating system; rejects when it is closed or fails. */
function write(destination: Writable, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (destination.destroyed) {
      reject(new Error('The response was closed before the package was sent.'));
      return;
    }
    destination.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

/** What sendFile needs of an open file (a FileHandle): positioned reads, which may return fewer bytes than asked, and close. */
export interface ReadableFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/**
 * Writes `size` bytes of `handle` from position 0 to `destination` (which it does not end), then
 * closes the handle. Rejects when the file ends early (it was truncated) or the destination fails;
 * the buffers return to the pool only after their last write settled.
 */
export async function sendFile(handle: ReadableFile, size: number, destination: Writable): Promise<void> {
  // The second buffer only when the file needs a second chunk.
  const buffers = size > CHUNK_BYTES ? [chunks.take(), chunks.take()] : [chunks.take()];
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let position = 0, turn = 0; position < size; turn = (turn + 1) % buffers.length) {
      const buffer = buffers[turn];
      // A lone buffer is read into again (after a short read) only once its write has settled.
      if (buffers.length === 1) await writing;
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
      if (bytesRead === 0) throw new Error(`The stored package ended after ${position} of ${size} bytes.`);
      // One write at a time: the previous chunk's settles first. With two buffers, this one's own
      // last write (two chunks back) settled before that one was queued, so reading into it was safe.
      await writing;
      writing = write(destination, buffer.subarray(0, bytesRead));
      // Its failure is awaited at the next turn, after a read: mark it handled meanwhile.
      writing.catch(() => undefined);
      position += bytesRead;
    }
    await writing;
  } finally {
    // A failed write settles too: only then is no byte of a buffer still referenced.
    await writing.catch(() => undefined);
    for (const buffer of buffers) chunks.give(buffer);
    await handle.close();
  }
}
