// SPDX-License-Identifier: MIT
// Clocks the fake API server reads time from: the system clock, or a manual one a test moves.

/** A source of the current time, injected so tests control creation and deletion timestamps. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The machine's own clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when the test says so. */
export class ManualClock implements Clock {
  private current: number;

  /** Starts the clock at `start`. */
  constructor(start: Date = new Date('2026-01-01T00:00:00Z')) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Jumps to `instant`. */
  set(instant: Date): void {
    this.current = instant.getTime();
  }

  /** Moves forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Renders an instant as the API server does for `metav1.Time`: RFC 3339 in UTC, whole seconds. */
export function formatTimestamp(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
