// SPDX-License-Identifier: MIT
// cert-manager's back-off after failed issuances: 1h·2^(n-1), at least 1h, at most 32h, counted from
// the last failure, and skipped when the user changed something the failed attempt did not see.

import { parseTimestamp } from './time.js';

/** The first back-off: one hour. */
export const INITIAL_BACKOFF_MS = 3_600_000;

/** The longest back-off: 32 hours (after the sixth consecutive failure). */
export const MAX_BACKOFF_MS = 32 * INITIAL_BACKOFF_MS;

/** The delay after `failedAttempts` consecutive failures: 1h, 2h, 4h, … 32h; at least 1h for 0 or a nonsense count. */
export function backoffDelay(failedAttempts: number): number {
  if (!(failedAttempts > 1)) return INITIAL_BACKOFF_MS;
  // 2^5 already reaches the cap; larger exponents would only overflow towards Infinity.
  return Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** Math.min(failedAttempts - 1, 5));
}

/** What the back-off looks at. */
export interface BackoffInput {
  /** `status.lastFailureTime`; absent means no failure and no back-off. */
  readonly lastFailureTime?: string;
  readonly failedIssuanceAttempts?: number;
  /** `status.lastFailureGeneration`: the spec the failed attempt issued for. */
  readonly lastFailureGeneration?: number;
  /** `metadata.generation` now. */
  readonly generation: number;
  /** True when the rotate annotation carries a value not yet handled. */
  readonly rotationRequested: boolean;
}

/**
 * Milliseconds to wait before the next issuance may start, or 0 when it may start now: no failure
 * recorded, the back-off has elapsed, the spec changed since the failure, or a new rotate request
 * arrived (each user action gets one immediate attempt).
 */
export function backoffRemaining(input: BackoffInput, now: number): number {
  if (input.lastFailureTime === undefined) return 0;
  if (input.rotationRequested) return 0;
  if (input.lastFailureGeneration !== undefined && input.lastFailureGeneration !== input.generation) return 0;
  const delay = backoffDelay(input.failedIssuanceAttempts ?? 0);
  // A failure time ahead of the clock (skew between replicas) waits one delay, not longer.
  const elapsed = Math.max(0, now - parseTimestamp(input.lastFailureTime));
  return Math.max(0, delay - elapsed);
}
