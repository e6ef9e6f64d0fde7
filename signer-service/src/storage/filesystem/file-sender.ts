// SPDX-License-Identifier: MIT
// Writes an open file to a response through two pooled buffers: the next chunk is read while the
// previous one is being written, and a buffer is reused only once the socket has taken its bytes.

import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { BufferPool } from '../buffer-pool.js';

const CHUNK_BYTES = 256 * 1024;
/** Enough for 16 downloads at once without allocating (8 MiB kept at most); more allocate and drop their buffers. */
const chunks = new BufferPool(CHUNK_BYTES, 32);

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

/**
 * Writes `size` bytes of `handle` from position 0 to `destination` (which it does not end), then
 * closes the handle. Rejects when the file ends early (it was truncated) or the destination fails;
 * the buffers return to the pool only after their last write settled.
 */
export async function sendFile(handle: FileHandle, size: number, destination: Writable): Promise<void> {
  const buffers = [chunks.take(), chunks.take()];
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let position = 0, turn = 0; position < size; turn ^= 1) {
      const buffer = buffers[turn];
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
      if (bytesRead === 0) throw new Error(`The stored package ended after ${position} of ${size} bytes.`);
      // One write at a time: the previous chunk's settles first. This buffer's own last write (two
      // chunks back) settled before that one was queued, so reading into it was safe.
      await writing;
      writing = write(destination, buffer.subarray(0, bytesRead));
      // Its failure is awaited at the next turn, after a read: mark it handled meanwhile.
      writing.catch(() => undefined);
      position += bytesRead;
    }
    await writing;
  } finally {
    // A failed write settles too: only then is no byte of either buffer still referenced.
    await writing.catch(() => undefined);
    for (const buffer of buffers) chunks.give(buffer);
    await handle.close();
  }
}
