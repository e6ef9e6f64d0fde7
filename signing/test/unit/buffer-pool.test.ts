// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool } from '../../src/buffer-pool.js';

test('a pool hands out distinct buffers past its size and keeps at most its size for reuse', () => {
  const pool = new BufferPool(1024, 2);
  const taken = Array.from({ length: 5 }, () => pool.take());
  assert.equal(new Set(taken).size, 5, 'more takers than the pool keeps each get their own buffer');
  assert.ok(taken.every((buffer) => buffer.length === 1024));
  for (const buffer of taken) pool.give(buffer);
  const reused = [pool.take(), pool.take(), pool.take()];
  assert.equal(reused.filter((buffer) => taken.includes(buffer)).length, 2, 'two were kept, the third is new');
  pool.give(Buffer.alloc(10));
  assert.equal(pool.take().length, 1024, 'a buffer of another size is never kept');
});
