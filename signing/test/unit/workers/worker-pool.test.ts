// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { describe, test } from 'node:test';

import { WorkerPool } from '../../../src/workers/worker-pool.js';

interface Ask {
  readonly value: number;
  /** Milliseconds the worker holds the request before it answers. */
  readonly holdMs?: number;
  /** The worker exits instead of answering. */
  readonly exit?: boolean;
}
interface Answer {
  readonly value: number;
  readonly threadId: number;
}

// A worker that doubles numbers, after a wait, on its own thread; or exits when told to. Evaluated
// as a script or as a module, depending on the process's --input-type.
const WORKER = `
import('node:worker_threads').then(({ parentPort, threadId }) => {
  parentPort.on('message', (ask) => {
    if (ask.exit) process.exit(3);
    setTimeout(() => parentPort.postMessage({ value: ask.value * 2, threadId }), ask.holdMs ?? 0);
  });
});
`;

class LostError extends Error {}

function pool(size: number, idleMs = 60_000): WorkerPool<Ask, Answer> {
  return new WorkerPool<Ask, Answer>({ start: () => new Worker(WORKER, { eval: true }), size, idleMs, lost: (reason) => new LostError(reason.message) });
}

describe('WorkerPool', () => {
  test('more requests than workers wait their turn, and each gets its own answer from one of at most `size` threads', async () => {
    const workers = pool(2);
    try {
      const answers = await Promise.all(Array.from({ length: 7 }, (_, value) => workers.run({ value, holdMs: 20 })));
      assert.deepEqual(answers.map((answer) => answer.value), [0, 2, 4, 6, 8, 10, 12]);
      assert.equal(new Set(answers.map((answer) => answer.threadId)).size, 2);
      assert.equal(workers.workerCount, 2);
    } finally {
      await workers.close();
    }
  });

  test('a worker that dies fails only its own request, and the next request gets a new worker', async () => {
    const workers = pool(1);
    try {
      const first = await workers.run({ value: 1 });
      const waiting = workers.run({ value: 5 });
      await assert.rejects(workers.run({ value: 2, exit: true }).then(() => undefined), (error: unknown) => error instanceof LostError && /code 3/.test(error.message));
      // Requests are taken in order: 5 went first, on the worker that then died.
      assert.equal((await waiting).value, 10);
      const next = await workers.run({ value: 3 });
      assert.equal(next.value, 6);
      assert.notEqual(next.threadId, first.threadId, 'the dead worker was replaced');
      assert.equal(workers.workerCount, 1);
    } finally {
      await workers.close();
    }
  });

  test('a request queued behind a worker that dies is run by its replacement', async () => {
    const workers = pool(1);
    try {
      const dying = workers.run({ value: 0, exit: true, holdMs: 0 });
      const queued = workers.run({ value: 4 });
      await assert.rejects(dying, LostError);
      assert.equal((await queued).value, 8);
    } finally {
      await workers.close();
    }
  });

  test('idle workers stop after idleMs and a later request starts a new one', async () => {
    const workers = pool(2, 50);
    try {
      await Promise.all([workers.run({ value: 1, holdMs: 10 }), workers.run({ value: 2, holdMs: 10 })]);
      assert.equal(workers.workerCount, 2);
      for (let waited = 0; workers.workerCount > 0 && waited < 5000; waited += 25) await sleep(25);
      assert.equal(workers.workerCount, 0);
      assert.equal((await workers.run({ value: 7 })).value, 14);
      assert.equal(workers.workerCount, 1);
    } finally {
      await workers.close();
    }
  });

  test('close fails running and waiting requests and stops every worker', async () => {
    const workers = pool(1);
    const running = workers.run({ value: 1, holdMs: 5000 });
    const waiting = workers.run({ value: 2 });
    const failures = [assert.rejects(running, LostError), assert.rejects(waiting, LostError)];
    await sleep(20);
    await workers.close();
    await Promise.all(failures);
    assert.equal(workers.workerCount, 0);
  });

  test('a pool needs a whole number of workers, at least one', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) assert.throws(() => pool(size), RangeError);
  });

  test('a worker waiting for work does not keep the process alive', () => {
    const poolUrl = new URL('../../../src/workers/worker-pool.ts', import.meta.url).href;
    const script = `
      import { Worker } from 'node:worker_threads';
      import { WorkerPool } from ${JSON.stringify(poolUrl)};
      const workers = new WorkerPool({ start: () => new Worker(${JSON.stringify(WORKER)}, { eval: true }), size: 1, idleMs: 600000, lost: (reason) => reason });
      const answer = await workers.run({ value: 21 });
      console.log(answer.value, workers.workerCount);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.error, undefined, 'the process exited by itself');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), '42 1', 'it answered, and its worker was still there when the process ended');
  });
});
