// SPDX-License-Identifier: MIT
// Sets conditions the Kubernetes way: one per type, `observedGeneration` always current, and
// `lastTransitionTime` kept unless the status itself changes. Transitions become events.

import { CONDITION_TYPES, type Condition, type ConditionStatus, type ConditionType } from '../api/v1alpha1/conditions.js';
import type { Action } from './actions.js';
import { formatTimestamp } from './time.js';

/** A condition as a decision states it, before generation and time are filled in. */
export interface ConditionUpdate {
  readonly type: ConditionType;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

/** The condition of a type in a list, if any. */
export function findCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Applies updates to the previous conditions and returns the full list in {@link CONDITION_TYPES}
 * order. Updated conditions get `generation`; their `lastTransitionTime` is `now` only when the
 * status differs from before. Conditions without an update stay exactly as they were.
 */
export function applyConditions(previous: readonly Condition[] | undefined, updates: readonly ConditionUpdate[], generation: number, now: number): Condition[] {
  const result: Condition[] = [];
  for (const type of CONDITION_TYPES) {
    const before = findCondition(previous, type);
    const update = updates.find((u) => u.type === type);
    if (!update) {
      if (before) result.push(before);
      continue;
    }
    const lastTransitionTime = before && before.status === update.status ? before.lastTransitionTime : formatTimestamp(now);
    result.push({ ...update, observedGeneration: generation, lastTransitionTime });
  }
  return result;
}

const QUIET_REASONS = new Set(['Issuing', 'NothingToPublish', 'NothingToConfigure', 'UserManaged', 'Issued']);

function isProblem(condition: Condition): boolean {
  if (condition.type === 'Issuing') return condition.reason === 'Failed' || condition.reason === 'BackingOff';
  return condition.status === 'False' && !QUIET_REASONS.has(condition.reason);
}

/** One event per condition whose status or reason changed: Warning for problems, Normal otherwise. */
export function transitionEvents(previous: readonly Condition[] | undefined, next: readonly Condition[]): Action[] {
  return next
    .filter((c) => {
      const before = findCondition(previous, c.type);
      return !before || before.status !== c.status || before.reason !== c.reason;
    })
    .map((c) => ({ kind: 'EmitEvent', type: isProblem(c) ? 'Warning' : 'Normal', reason: c.reason, message: c.message }));
}
