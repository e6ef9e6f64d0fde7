// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue } from '../../../src/controller/work-queue.js';
import { FakeClock } from '../../helpers/fake-clock.js';

test('a key is queued once however often it is added', async () => {
  const queue = new WorkQueue(new FakeClock());
  queue.add('ns/a');
  queue.add('ns/a');
  queue.add('ns/b');
  assert.equal(queue.length, 2);
  assert.equal(await queue.get(), 'ns/a');
  assert.equal(await queue.get(), 'ns/b');
  assert.equal(queue.length, 0);
});

test('a key being processed is not handed out again until done, then once more if re-added', async () => {
  const queue = new WorkQueue(new FakeClock());
  queue.add('ns/a');
  const key = await queue.get();
  assert.equal(key, 'ns/a');
  queue.add('ns/a');
  queue.add('ns/a');
  assert.equal(queue.length, 0, 'not queued while processing');
  let second: string | undefined;
  void queue.get().then((next) => (second = next));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(second, undefined, 'no second worker gets it');
  queue.done('ns/a');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(second, 'ns/a', 'requeued once after done');
  queue.done('ns/a');
  assert.equal(queue.length, 0);
});

test('addAfter fires on the clock, and the earliest schedule of a key wins', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue(clock);
  queue.addAfter('ns/a', 10_000);
  queue.addAfter('ns/a', 5_000);
  queue.addAfter('ns/a', 60_000);
  await clock.advance(4_999);
  assert.equal(queue.length, 0);
  await clock.advance(1);
  assert.equal(queue.length, 1);
  assert.equal(await queue.get(), 'ns/a');
  queue.done('ns/a');
  await clock.advance(120_000);
  assert.equal(queue.length, 0, 'the later schedules were replaced, not kept');
});

test('failures back off exponentially to the cap, and forget resets them', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue(clock, { baseDelayMs: 1_000, maxDelayMs: 8_000 });
  const delays = Array.from({ length: 6 }, () => {
    const delay = queue.addRateLimited('ns/a');
    return delay;
  });
  assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  assert.equal(queue.failuresOf('ns/a'), 6);
  queue.forget('ns/a');
  assert.equal(queue.failuresOf('ns/a'), 0);
  assert.equal(queue.addRateLimited('ns/a'), 1_000);
});

test('shutdown releases waiting workers and cancels scheduled keys', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue(clock);
  const waiting = queue.get();
  queue.addAfter('ns/a', 1_000);
  queue.shutDown();
  assert.equal(await waiting, undefined);
  await clock.advance(2_000);
  assert.equal(queue.length, 0);
  assert.equal(await queue.get(), undefined);
  queue.add('ns/b');
  assert.equal(queue.length, 0, 'nothing is queued after shutdown');
});
