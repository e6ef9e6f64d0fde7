// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { unsafeEntryNameReason } from '../../../src/archive/entry-names.js';

test('zip-slip and absolute entry names are unsafe; ordinary and old backslash names are not', () => {
  const cases: Array<[string, RegExp | undefined]> = [
    ['lib/net10.0/a.dll', undefined],
    ['lib\\net45\\old.dll', undefined],
    ['content/a..b.txt', undefined],
    ['..hidden', undefined],
    ['../evil.txt', /'\.\.' segment/],
    ['lib/../../evil.txt', /'\.\.' segment/],
    ['lib\\..\\..\\evil.txt', /'\.\.' segment/],
    ['/etc/passwd', /absolute/],
    ['\\windows\\system32', /absolute/],
    ['C:/evil.txt', /absolute/],
    ['a\0b', /NUL/],
  ];
  for (const [name, expected] of cases) {
    const reason = unsafeEntryNameReason(name);
    if (expected) assert.match(reason ?? '', expected, name);
    else assert.equal(reason, undefined, name);
  }
});
