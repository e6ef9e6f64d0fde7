// SPDX-License-Identifier: MIT
// `kubectl wait --for=condition=Ready` against the fake while a client-node "controller" sets the
// condition through the status subresource.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { installWidgetCrd, patchWidgetStatus, startHarness, widget } from './test-harness.js';

test('kubectl wait returns once the status subresource reports Ready=True', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.objects.create(widget('w1'));
  const waiting = h.kubectl.start(['wait', '--for=condition=Ready', '--timeout=20s', 'wg/w1']);
  await sleep(500);
  await patchWidgetStatus(h, 'w1', { conditions: [{ type: 'Ready', status: 'False', reason: 'Pending' }] });
  const early = await Promise.race([waiting.done, sleep(300).then(() => 'waiting')]);
  assert.equal(early, 'waiting', 'Ready=False does not satisfy the wait');
  await patchWidgetStatus(h, 'w1', { conditions: [{ type: 'Ready', status: 'True', reason: 'Issued' }] });
  const result = await waiting.done;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'widget.example.test/w1 condition met');
});

test('kubectl wait times out with exit 1 when the condition never comes', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.objects.create(widget('w1'));
  const result = await h.kubectl.run(['wait', '--for=condition=Ready', '--timeout=1s', 'wg/w1']);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), 'error: timed out waiting for the condition on widgets/w1');
});
