// SPDX-License-Identifier: MIT
// The failed-issuance back-off: table cases and fast-check properties.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { backoffDelay, backoffRemaining, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS, type BackoffInput } from '../../../src/reconcile/backoff.js';

const HOUR = 3_600_000;
const FAILED_AT = '2026-09-01T09:00:00Z';
const t = (ms: number) => Date.parse(FAILED_AT) + ms;

describe('backoffDelay', () => {
  test('doubles from 1h and stops at 32h', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 100, 1e9].map((n) => backoffDelay(n) / HOUR), [1, 1, 2, 4, 8, 16, 32, 32, 32, 32]);
  });

  test('is monotone, at least 1h and at most 32h (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 10_000 }), fc.integer({ min: -10, max: 10_000 }), (a, b) => {
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        const dLo = backoffDelay(lo);
        const dHi = backoffDelay(hi);
        return dLo <= dHi && dLo >= INITIAL_BACKOFF_MS && dHi <= MAX_BACKOFF_MS;
      }),
    );
  });
});

describe('backoffRemaining', () => {
  const failing: BackoffInput = { lastFailureTime: FAILED_AT, failedIssuanceAttempts: 3, lastFailureGeneration: 4, generation: 4, rotationRequested: false };
  const cases: [string, BackoffInput, number, number][] = [
    ['no failure recorded', { generation: 4, rotationRequested: false }, t(0), 0],
    ['third failure: 4h from the failure', failing, t(HOUR), 3 * HOUR],
    ['elapsed back-off', failing, t(4 * HOUR), 0],
    ['spec changed since the failure', { ...failing, generation: 5 }, t(HOUR), 0],
    ['new rotate request', { ...failing, rotationRequested: true }, t(HOUR), 0],
    ['failure time ahead of the clock waits one delay only', failing, t(-10 * HOUR), 4 * HOUR],
    ['failure from before attempts were counted', { ...failing, failedIssuanceAttempts: undefined }, t(0), HOUR],
  ];
  for (const [name, input, now, expected] of cases) test(name, () => assert.equal(backoffRemaining(input, now), expected));

  test('never exceeds the delay and shrinks as time passes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: -40 * HOUR, max: 40 * HOUR }), fc.integer({ min: 0, max: HOUR }), (attempts, offset, step) => {
        const input = { ...failing, failedIssuanceAttempts: attempts };
        const now = backoffRemaining(input, t(offset));
        const later = backoffRemaining(input, t(offset + step));
        return now >= 0 && now <= backoffDelay(attempts) && later <= now;
      }),
    );
  });
});
