// SPDX-License-Identifier: MIT
// The result of a decision: the conditions to store, the writes to make, when to look again and
// the status fields to change. Nothing in it ever touches `spec`.

import type { Condition } from '../api/v1alpha1/conditions.js';
import type { RepositorySignerStatus } from '../api/v1alpha1/status.js';
import type { Action } from './actions.js';

/** Status fields to set; `null` removes a field (JSON merge patch on the status subresource). */
export type StatusPatch = { -readonly [K in Exclude<keyof RepositorySignerStatus, 'conditions'>]?: RepositorySignerStatus[K] | null };

/** What one pass decided. */
export interface Decision {
  /** The full conditions list to store in `status.conditions`. */
  readonly conditions: Condition[];
  /** Writes in order; events last. Stop at the first failure and requeue with back-off. */
  readonly actions: Action[];
  /**
   * Milliseconds until the next time-driven look (renewal time, expiry, back-off end, provider
   * recheck); absent when only a change (watch event) can make a difference. Never 0 or negative:
   * status and owned-object writes come back through the watches, which is what keeps this loop-free.
   */
  readonly requeueAfter?: number;
  readonly statusPatch: StatusPatch;
}

/** The soonest positive delay from `now` to any of `times` (ms), or undefined. */
export function soonest(times: readonly (number | undefined)[], now: number): number | undefined {
  const delays = times.filter((t): t is number => t !== undefined && t > now).map((t) => t - now);
  return delays.length === 0 ? undefined : Math.min(...delays);
}
