// SPDX-License-Identifier: MIT
// A clock that moves only when a test says so: timers fire in time order as it advances.

import type { Clock, TimerHandle } from '../../src/controller/clock.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** A {@link Clock} whose time a test advances. */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(delayMs: number, callback: () => void): TimerHandle {
    const entry: Pending = { at: this.time + Math.max(0, delayMs), seq: this.seq++, callback, cancelled: false };
    this.pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.pending.filter((entry) => !entry.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order; lets promises settle between. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const next = this.pending.filter((entry) => !entry.cancelled && entry.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.pending = this.pending.filter((entry) => entry !== next);
      this.time = Math.max(this.time, next.at);
      next.callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = target;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
