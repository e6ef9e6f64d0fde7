// SPDX-License-Identifier: MIT
// At most N holders at once; the rest wait in arrival order. The feed's pushes use one
// (Limits:MaxConcurrentPushes), so that a burst of uploads leaves the event loop to downloads.

import type { IncomingMessage } from 'node:http';

/** Gives the slot back; safe to call more than once. */
export type Release = () => void;

/** Request bodies the feed deliberately leaves unread for now (a push waiting for its turn): their timers wait too. */
const heldBodies = new WeakSet<IncomingMessage>();

/** True while `request`'s body is held back on purpose, so body timeouts must not count the time. */
export function isBodyHeld(request: IncomingMessage): boolean {
  return heldBodies.has(request);
}

/** A counting semaphore: `limit` 0 means no limit. */
export class ConcurrencyLimit {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Holders now. */
  get active(): number {
    return this.#active;
  }

  /** Waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves with a release once a slot is free. While it waits, the body of `request` (when given)
   * is marked as held, and an abort of `signal` (the client went away) leaves the queue and rejects
   * with the signal's reason.
   */
  acquire(options: { request?: IncomingMessage; signal?: AbortSignal } = {}): Promise<Release> {
    const { request, signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.limit === 0 || this.#active < this.limit) return Promise.resolve(this.#take());
    return new Promise<Release>((resolve, reject) => {
      if (request) heldBodies.add(request);
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(admit);
        if (index >= 0) this.#waiting.splice(index, 1);
        if (request) heldBodies.delete(request);
        reject(signal?.reason as Error);
      };
      const admit = (): void => {
        signal?.removeEventListener('abort', onAbort);
        if (request) heldBodies.delete(request);
        resolve(this.#take());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(admit);
    });
  }

  #take(): Release {
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      // The slot passes straight to the next in line, so a newcomer cannot overtake the queue.
      const next = this.#waiting.shift();
      if (next) next();
    };
  }
}
