// SPDX-License-Identifier: MIT
// Time as the controller runtime sees it: the current time and timers, injected so tests can move a
// fake clock (renewal at renewalTime, lease expiry, back-off) without waiting.

/** A timer handle of a {@link Clock}. */
export interface TimerHandle {
  cancel(): void;
}

/** Milliseconds since the epoch, and timers on the same time line. */
export interface Clock {
  now(): number;
  /** Runs `callback` once `delayMs` have passed on this clock. */
  after(delayMs: number, callback: () => void): TimerHandle;
}

/** The real clock: Date.now and unref'd timers (a pending requeue never keeps the process alive). */
export const systemClock: Clock = {
  now: () => Date.now(),
  after: (delayMs, callback) => {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Resolves after `delayMs` on `clock`, or at once when `signal` aborts. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = clock.after(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
