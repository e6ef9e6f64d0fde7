// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import { ConcurrencyLimit, isBodyHeld, type Release } from '../../../src/http/concurrency-limit.js';

/** Settled state of `promise` after the pending callbacks ran. */
async function settled<T>(promise: Promise<T>): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await turn();
  return state;
}

test('at most `limit` holders; the rest are admitted in arrival order as slots are released', async () => {
  const limit = new ConcurrencyLimit(2);
  const first = await limit.acquire();
  const second = await limit.acquire();
  const order: number[] = [];
  const waiters = [3, 4, 5].map((n) => limit.acquire().then((release) => (order.push(n), release)));
  assert.equal(await settled(waiters[0]), 'pending');
  assert.deepEqual([limit.active, limit.waiting], [2, 3]);
  first();
  first(); // a second call gives nothing back twice
  const third = await waiters[0];
  assert.deepEqual([limit.active, limit.waiting], [2, 2]);
  second();
  third();
  const rest: Release[] = await Promise.all(waiters.slice(1));
  assert.deepEqual(order, [3, 4, 5]);
  for (const release of rest) release();
  assert.deepEqual([limit.active, limit.waiting], [0, 0]);
});

test('a newcomer never overtakes the queue: a released slot passes straight to the next in line', async () => {
  const limit = new ConcurrencyLimit(1);
  const holder = await limit.acquire();
  const queued = limit.acquire();
  holder();
  const newcomer = limit.acquire();
  assert.equal(await settled(newcomer), 'pending');
  (await queued)();
  (await newcomer)();
  assert.equal(limit.active, 0);
});

test('0 means no limit', async () => {
  const limit = new ConcurrencyLimit(0);
  const releases = await Promise.all(Array.from({ length: 50 }, () => limit.acquire()));
  assert.deepEqual([limit.active, limit.waiting], [50, 0]);
  for (const release of releases) release();
});

test('a waiter whose signal aborts leaves the queue with the reason and holds no slot', async () => {
  const limit = new ConcurrencyLimit(1);
  const holder = await limit.acquire();
  const controller = new AbortController();
  const leaving = limit.acquire({ signal: controller.signal });
  const staying = limit.acquire();
  controller.abort(new Error('client gone'));
  await assert.rejects(leaving, /client gone/);
  assert.equal(limit.waiting, 1);
  holder();
  (await staying)();
  assert.deepEqual([limit.active, limit.waiting], [0, 0]);
  await assert.rejects(limit.acquire({ signal: controller.signal }), /client gone/, 'an aborted signal is refused at once');
});

test("a waiting request's body is marked as held until it is admitted or leaves", async () => {
  const limit = new ConcurrencyLimit(1);
  const holder = await limit.acquire();
  const waiting = {} as IncomingMessage;
  const leaving = {} as IncomingMessage;
  const admitted = limit.acquire({ request: waiting });
  const controller = new AbortController();
  const left = limit.acquire({ request: leaving, signal: controller.signal });
  assert.equal(isBodyHeld(waiting), true);
  assert.equal(isBodyHeld(leaving), true);
  controller.abort(new Error('gone'));
  await assert.rejects(left);
  assert.equal(isBodyHeld(leaving), false);
  holder();
  (await admitted)();
  assert.equal(isBodyHeld(waiting), false);
  const free = {} as IncomingMessage;
  (await limit.acquire({ request: free }))();
  assert.equal(isBodyHeld(free), false, 'a request admitted at once is never marked');
});
