// SPDX-License-Identifier: MIT
// Condition bookkeeping: observedGeneration, lastTransitionTime and transition events.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Condition } from '../../../src/api/v1alpha1/conditions.js';
import { applyConditions, transitionEvents } from '../../../src/reconcile/conditions.js';

const T = Date.parse('2026-09-01T09:00:00Z');
const ready: Condition = { type: 'Ready', status: 'True', reason: 'Ready', message: 'old', observedGeneration: 1, lastTransitionTime: '2026-08-01T00:00:00Z' };
const published: Condition = { type: 'Published', status: 'True', reason: 'Published', message: 'p', observedGeneration: 1, lastTransitionTime: '2026-08-01T00:00:00Z' };

test('an unchanged status keeps lastTransitionTime but takes the new generation and message', () => {
  const [c] = applyConditions([ready], [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'new' }], 2, T);
  assert.deepEqual(c, { ...ready, message: 'new', observedGeneration: 2 });
});

test('a new reason under the same status keeps lastTransitionTime', () => {
  const [c] = applyConditions([ready], [{ type: 'Ready', status: 'True', reason: 'StillReady', message: 'x' }], 2, T);
  assert.equal(c.lastTransitionTime, ready.lastTransitionTime);
});

test('a changed status moves lastTransitionTime to now', () => {
  const [c] = applyConditions([ready], [{ type: 'Ready', status: 'False', reason: 'Expired', message: 'x' }], 2, T);
  assert.equal(c.lastTransitionTime, '2026-09-01T09:00:00Z');
});

test('conditions without an update stay as they were, in the fixed type order', () => {
  const result = applyConditions([published, ready], [{ type: 'Issuing', status: 'False', reason: 'Issued', message: '' }], 3, T);
  assert.deepEqual(result.map((c) => c.type), ['Ready', 'Issuing', 'Published']);
  assert.deepEqual(result[2], published);
});

test('transitions become events: Warning for problems, Normal otherwise, none without a change', () => {
  const next = applyConditions([ready, published], [{ type: 'Ready', status: 'False', reason: 'Expired', message: 'gone' }, { type: 'Issuing', status: 'True', reason: 'Renewing', message: 'r' }], 2, T);
  assert.deepEqual(transitionEvents([ready, published], next), [
    { kind: 'EmitEvent', type: 'Warning', reason: 'Expired', message: 'gone' },
    { kind: 'EmitEvent', type: 'Normal', reason: 'Renewing', message: 'r' },
  ]);
});
