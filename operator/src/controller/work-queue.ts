// SPDX-License-Identifier: MIT
// A keyed work queue in the manner of client-go's: a key is queued at most once, a key being
// processed is never handed to a second worker (a re-add waits until it is done), failures requeue
// with per-key exponential back-off, and `addAfter` schedules a key (renewalTime, provider recheck).

import type { Clock, TimerHandle } from './clock.js';

/** Per-key exponential back-off of failed reconciles. */
export interface RateLimit {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Failed reconciles retry after 1 s, doubling each time, at most every 5 minutes. */
export const DEFAULT_RATE_LIMIT: RateLimit = { baseDelayMs: 1_000, maxDelayMs: 300_000 };

/** The queue of keys (`namespace/name`) waiting to be reconciled. */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { readonly at: number; readonly handle: TimerHandle }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    private readonly clock: Clock,
    private readonly rateLimit: RateLimit = DEFAULT_RATE_LIMIT,
  ) {}

  /** Queues `key` now, unless it is queued already. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.queue.push(key);
    else waiter(key);
  }

  /** Queues `key` after `delayMs`; an earlier pending schedule of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending !== undefined && pending.at <= at) return;
    pending?.handle.cancel();
    const handle = this.clock.after(delayMs, () => {
      this.timers.delete(key);
      this.add(key);
    });
    this.timers.set(key, { at, handle });
  }

  /** Requeues a failed key after its back-off (base · 2^failures, capped) and counts the failure. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.rateLimit.maxDelayMs, this.rateLimit.baseDelayMs * 2 ** failures);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the failure count of `key` after a successful reconcile. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times `key` failed in a row. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process (waiting when none is queued), or undefined once shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push((next) => resolve(next === undefined ? undefined : this.take(next))));
  }

  /** Marks `key` processed; a re-add that came meanwhile queues it again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      const waiter = this.waiters.shift();
      if (waiter === undefined) this.queue.push(key);
      else waiter(key);
    }
  }

  /** Keys queued now (not scheduled, not processing). */
  get length(): number {
    return this.queue.length;
  }

  /** Stops handing out keys; waiting getters resolve undefined and timers are cancelled. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.timers.values()) handle.cancel();
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
