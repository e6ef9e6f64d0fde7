// SPDX-License-Identifier: MIT
// Plain functions, not a plugin: counts wrong API keys per client address in one-minute windows,
// so that guessing keys is limited to a few attempts a minute per address.

const WINDOW_MS = 60_000;
/** Addresses tracked at most; beyond, expired windows are dropped first, then the oldest. */
const MAX_TRACKED = 10_000;

/** The failure counter of one app. */
export interface FailedAttempts {
  /** Seconds until `address` may try again, or 0 when it may try now. */
  blockedForSeconds(address: string, now?: number): number;
  /** Records a wrong key from `address`. */
  recordFailure(address: string, now?: number): void;
}

/** A counter allowing `maxPerMinute` wrong keys per address and fixed minute window. */
export function failedAttempts(maxPerMinute: number): FailedAttempts {
  const windows = new Map<string, { start: number; count: number }>();
  const current = (address: string, now: number): { start: number; count: number } | undefined => {
    const window = windows.get(address);
    if (window !== undefined && now - window.start >= WINDOW_MS) {
      windows.delete(address);
      return undefined;
    }
    return window;
  };
  const prune = (now: number): void => {
    for (const [address, window] of windows) if (now - window.start >= WINDOW_MS) windows.delete(address);
    // Map iteration follows insertion order: the first entries are the oldest windows.
    for (const address of windows.keys()) {
      if (windows.size < MAX_TRACKED) break;
      windows.delete(address);
    }
  };
  return {
    blockedForSeconds(address, now = Date.now()) {
      const window = current(address, now);
      if (window === undefined || window.count < maxPerMinute) return 0;
      return Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000));
    },
    recordFailure(address, now = Date.now()) {
      const window = current(address, now);
      if (window !== undefined) {
        window.count += 1;
        return;
      }
      if (windows.size >= MAX_TRACKED) prune(now);
      windows.set(address, { start: now, count: 1 });
    },
  };
}
