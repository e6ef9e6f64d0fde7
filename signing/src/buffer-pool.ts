// SPDX-License-Identifier: MIT
// Reusable byte buffers, for the engine's whole-package reads and the feed's I/O. A buffer allocated
// per read or per upload and dropped afterwards counts as external memory until V8's next full
// collection, and enough of them start one: with a feed's heap, each marks tens of megabytes.
// Buffers taken from here and given back once the bytes in them are used cost nothing after the first.

/** A free list of buffers of one size; at most `keep` wait for reuse, more are allocated when needed. */
export class BufferPool {
  readonly #free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  /** A buffer of `size` bytes with unspecified content; give it back when nothing refers to it any more. */
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Returns `buffer` for reuse. The caller must hold no view of it any more. */
  give(buffer: Buffer): void {
    if (buffer.length === this.size && this.#free.length < this.keep) this.#free.push(buffer);
  }
}
