// SPDX-License-Identifier: MIT
// Durations and timestamps of the decision core.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describeDuration, formatTimestamp, parseDuration, parseTimestamp } from '../../../src/reconcile/time.js';

test('durations in the CRD syntax parse to milliseconds', () => {
  const cases: [string, number][] = [
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['8760h', 8760 * 3_600_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  for (const bad of ['', '1d', '-1h', 'h', '1h ']) assert.throws(() => parseDuration(bad), /Not a duration/, bad);
});

test('timestamps are written in whole seconds and read back', () => {
  assert.equal(formatTimestamp(Date.parse('2026-09-01T09:00:05.999Z')), '2026-09-01T09:00:05Z');
  assert.equal(parseTimestamp('2026-09-01T09:00:05Z'), Date.parse('2026-09-01T09:00:05Z'));
  assert.throws(() => parseTimestamp('yesterday'), /Not a timestamp/);
});

test('messages show durations compactly', () => {
  assert.equal(describeDuration(32 * 3_600_000), '32h');
  assert.equal(describeDuration(3_900_000), '1h5m');
  assert.equal(describeDuration(0), '0s');
});
