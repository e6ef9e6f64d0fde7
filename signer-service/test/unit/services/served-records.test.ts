// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PackageRecord } from '../../../src/db/packages-repository.js';
import { ServedRecords } from '../../../src/services/served-records.js';

function row(idLower: string, generation = 'g1'): PackageRecord {
  return { idLower, versionLower: '1.0.0', generation, signedKey: `packages/${idLower}/1.0.0/${generation}/signed.nupkg` } as Partial<PackageRecord> as PackageRecord;
}

test('keeps at most its limit of rows, dropping the longest kept first; keeping a row again makes it the newest', () => {
  const served = new ServedRecords({ maxEntries: 2, maxAgeMs: 60_000 });
  served.remember(row('a'));
  served.remember(row('b'));
  served.remember(row('a', 'g2'));
  served.remember(row('c'));
  assert.equal(served.get('b', '1.0.0'), undefined, 'b was the longest kept');
  assert.equal(served.get('a', '1.0.0')?.generation, 'g2');
  assert.equal(served.get('c', '1.0.0')?.idLower, 'c');
  served.forget('c', '1.0.0');
  assert.equal(served.get('c', '1.0.0'), undefined);
  assert.equal(served.get('a', '2.0.0'), undefined, 'another version of a kept id');
});

test('a row is given out only until it is as old as the age limit', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const served = new ServedRecords({ maxEntries: 10, maxAgeMs: 5000 });
  served.remember(row('a'));
  t.mock.timers.setTime(1_004_999);
  assert.equal(served.get('a', '1.0.0')?.idLower, 'a');
  t.mock.timers.setTime(1_005_000);
  assert.equal(served.get('a', '1.0.0'), undefined);
  t.mock.timers.setTime(1_000_000);
  assert.equal(served.get('a', '1.0.0'), undefined, 'an expired row is dropped, not kept for later');
});
