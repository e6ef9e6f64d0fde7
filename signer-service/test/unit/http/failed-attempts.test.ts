// SPDX-License-Identifier: MIT
// The wrong-key counter past its size: more addresses than it tracks, and what a blocked client sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedAttempts } from '../../../src/http/failed-attempts.js';

test('a blocked address waits out its minute; the window then resets', () => {
  const attempts = failedAttempts(3);
  for (let i = 0; i < 3; i++) attempts.recordFailure('10.0.0.1', 1_000);
  assert.equal(attempts.blockedForSeconds('10.0.0.1', 1_000), 60);
  assert.equal(attempts.blockedForSeconds('10.0.0.1', 30_500), 31);
  assert.equal(attempts.blockedForSeconds('10.0.0.2', 30_500), 0, 'other addresses are not affected');
  assert.equal(attempts.blockedForSeconds('10.0.0.1', 61_000), 0);
});

test('more addresses than it tracks: memory stays bounded by dropping the oldest windows, the newest are still counted', () => {
  const attempts = failedAttempts(1);
  const tracked = 10_000;
  for (let i = 0; i <= tracked; i++) attempts.recordFailure(`address-${i}`, 1_000 + i);
  assert.equal(attempts.blockedForSeconds('address-0', 20_000), 0, 'the oldest window was dropped to make room');
  assert.ok(attempts.blockedForSeconds(`address-${tracked}`, 20_000) > 0, 'the newest address is blocked');
  assert.ok(attempts.blockedForSeconds(`address-${tracked - 1}`, 20_000) > 0);
});

test('expired windows are dropped before live ones when the table is full', () => {
  const attempts = failedAttempts(1);
  for (let i = 0; i < 10_000; i++) attempts.recordFailure(`old-${i}`, 0);
  attempts.recordFailure('fresh', 70_000);
  assert.ok(attempts.blockedForSeconds('fresh', 70_000) > 0);
  assert.equal(attempts.blockedForSeconds('old-9999', 70_000), 0);
});
