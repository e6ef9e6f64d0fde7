// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RECEIVED_BYTES_PER_COLLECTION, noteReceivedBytes } from '../../../src/http/upload-garbage.js';

const MODULE = fileURLToPath(new URL('../../../src/http/upload-garbage.ts', import.meta.url));

/**
 * Runs `script` (ESM, with the module as `garbage` and `minor()`, the minor collections observed so
 * far) in a Node started with `flags`, and returns what it prints.
 */
function run(flags: readonly string[], script: string): string {
  const preamble = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    const garbage = await import(${JSON.stringify(MODULE)});
    let minors = 0;
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minors++; }).observe({ entryTypes: ['gc'] });
    // GC entries are delivered on a later turn.
    const minor = async () => { await new Promise((resolve) => setTimeout(resolve, 50)); return minors; };
  `;
  return execFileSync(process.execPath, [...flags, '--conditions=development', '--import', 'tsx', '--input-type=module', '-e', preamble + script], { encoding: 'utf8' }).trim();
}

test('with --expose-gc, one minor collection per 8 MiB received, counted across uploads', () => {
  const printed = run(
    ['--expose-gc'],
    `
    const step = garbage.RECEIVED_BYTES_PER_COLLECTION / 4;
    const start = await minor();
    for (let i = 0; i < 3; i++) garbage.noteReceivedBytes(step);
    const before = await minor();
    garbage.noteReceivedBytes(step);
    const after = await minor();
    for (let i = 0; i < 8; i++) garbage.noteReceivedBytes(step);
    const later = await minor();
    console.log(JSON.stringify([before - start, after - before, later - after]));
  `,
  );
  // Other minor collections may happen on their own: at least the ones asked for, and none before 8 MiB.
  const [before, after, later] = JSON.parse(printed) as [number, number, number];
  assert.equal(before, 0, 'no collection before 8 MiB');
  assert.ok(after >= 1, `one at 8 MiB (${after})`);
  assert.ok(later >= 2, `two more after 16 MiB more (${later})`);
});

test('without --expose-gc it counts nothing and collects nothing', () => {
  assert.equal(globalThis.gc, undefined, 'the test process runs without --expose-gc');
  assert.doesNotThrow(() => noteReceivedBytes(10 * RECEIVED_BYTES_PER_COLLECTION));
  const printed = run([], `for (let i = 0; i < 10; i++) garbage.noteReceivedBytes(garbage.RECEIVED_BYTES_PER_COLLECTION); console.log(await minor());`);
  assert.equal(printed, '0');
});
