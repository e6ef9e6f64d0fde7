// SPDX-License-Identifier: MIT
// The fake judged by the real kubectl: apply of a CRD and a custom resource, get by short name
// with printer columns, -o json/yaml, annotate, label, patch, and delete with and without a finalizer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from './clock.js';
import { installWidgetCrd, patchWidgetStatus, readWidget, startHarness, WIDGET_CRD } from './test-harness.js';

const WIDGET = `apiVersion: example.test/v1
kind: Widget
metadata:
  name: w1
spec:
  color: green
  small: {size: 1}
`;

function tokens(line: string | undefined): string[] {
  return (line ?? '').trim().split(/\s+/);
}

test('kubectl apply creates a CRD and a custom resource, then updates and leaves it unchanged', async (t) => {
  const h = await startHarness(t);
  const crd = await h.kubectl.run(['apply', '-f', WIDGET_CRD]);
  assert.equal(crd.code, 0, crd.stderr);
  assert.equal(crd.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io/widgets.example.test created');

  const created = await h.kubectl.run(['apply', '-f', '-'], WIDGET);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout.trim(), 'widget.example.test/w1 created');
  const first = await readWidget(h, 'w1');
  assert.equal(first.metadata?.generation, 1);
  assert.equal(first.spec.replicas, 1, 'the schema default is applied');

  const updated = await h.kubectl.run(['apply', '-f', '-'], WIDGET.replace('green', 'blue'));
  assert.equal(updated.code, 0, updated.stderr);
  assert.equal(updated.stdout.trim(), 'widget.example.test/w1 configured');
  const second = await readWidget(h, 'w1');
  assert.equal(second.spec.color, 'blue');
  assert.equal(second.metadata?.generation, 2);

  h.server.requests.clear();
  const same = await h.kubectl.run(['apply', '-f', '-'], WIDGET.replace('green', 'blue'));
  assert.equal(same.stdout.trim(), 'widget.example.test/w1 unchanged');
  assert.deepEqual(h.server.requests.writes(), [], 'an unchanged apply writes nothing');
});

test('kubectl get by short name prints the printer columns with ages from the server clock', async (t) => {
  const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
  const h = await startHarness(t, { clock });
  await installWidgetCrd(h);
  const created = await h.kubectl.run(['apply', '-f', '-'], WIDGET);
  assert.equal(created.code, 0, created.stderr);
  await patchWidgetStatus(h, 'w1', {
    notAfter: '2026-03-01T05:00:00Z',
    conditions: [{ type: 'Ready', status: 'True', reason: 'Issued', message: 'all good', lastTransitionTime: '2026-03-01T10:00:00Z' }],
  });
  clock.advance(200_000);

  const get = await h.kubectl.run(['get', 'wg']);
  assert.equal(get.code, 0, get.stderr);
  const [header, row, extra] = get.stdout.trimEnd().split('\n');
  assert.deepEqual(tokens(header), ['NAME', 'READY', 'COLOR', 'REPLICAS', 'EXPIRES', 'AGE']);
  assert.deepEqual(tokens(row), ['w1', 'True', 'green', '1', '5h3m', '3m20s']);
  assert.equal(extra, undefined);

  const wide = await h.kubectl.run(['get', 'widgets.example.test', '-o', 'wide']);
  const [wideHeader, wideRow] = wide.stdout.trimEnd().split('\n');
  assert.deepEqual(tokens(wideHeader), ['NAME', 'READY', 'COLOR', 'REPLICAS', 'EXPIRES', 'MESSAGE', 'AGE']);
  assert.deepEqual(tokens(wideRow), ['w1', 'True', 'green', '1', '5h3m', 'all', 'good', '3m20s']);

  const byCategory = await h.kubectl.run(['get', 'examples']);
  assert.deepEqual(tokens(byCategory.stdout.split('\n')[1]), ['w1', 'True', 'green', '1', '5h3m', '3m20s'], byCategory.stderr);
});

test('kubectl get -o json and -o yaml print the stored object', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.kubectl.run(['apply', '-f', '-'], WIDGET);

  const json = await h.kubectl.run(['get', 'wg', 'w1', '-o', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const object = JSON.parse(json.stdout) as { kind: string; metadata: { resourceVersion: string; uid: string }; spec: unknown };
  assert.equal(object.kind, 'Widget');
  assert.match(object.metadata.resourceVersion, /^\d+$/);
  assert.deepEqual(object.spec, { color: 'green', replicas: 1, small: { size: 1 } });

  const yaml = await h.kubectl.run(['get', 'wg', 'w1', '-o', 'yaml']);
  assert.match(yaml.stdout, /^kind: Widget$/m);
  assert.match(yaml.stdout, new RegExp(`^  uid: ${object.metadata.uid}$`, 'm'));
  assert.match(yaml.stdout, /^  replicas: 1$/m);

  const missing = await h.kubectl.run(['get', 'wg', 'nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'Error from server (NotFound): widgets.example.test "nope" not found');
});

test('kubectl annotate, label and patch (merge and json) change the object', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.kubectl.run(['apply', '-f', '-'], WIDGET);

  const annotate = await h.kubectl.run(['annotate', 'wg', 'w1', 'example.test/note=hello']);
  assert.equal(annotate.stdout.trim(), 'widget.example.test/w1 annotated');
  const label = await h.kubectl.run(['label', 'wg', 'w1', 'tier=gold']);
  assert.equal(label.stdout.trim(), 'widget.example.test/w1 labeled');
  const merge = await h.kubectl.run(['patch', 'wg', 'w1', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
  assert.equal(merge.stdout.trim(), 'widget.example.test/w1 patched');
  const json = await h.kubectl.run(['patch', 'wg', 'w1', '--type=json', '-p', '[{"op":"replace","path":"/spec/color","value":"blue"}]']);
  assert.equal(json.stdout.trim(), 'widget.example.test/w1 patched');

  const stored = await readWidget(h, 'w1');
  assert.equal(stored.metadata?.annotations?.['example.test/note'], 'hello');
  assert.equal(stored.metadata?.labels?.tier, 'gold');
  assert.equal(stored.spec.replicas, 3);
  assert.equal(stored.spec.color, 'blue');
  assert.equal(stored.metadata?.generation, 3, 'only the two spec patches bump generation');

  const selected = await h.kubectl.run(['get', 'wg', '-l', 'tier=gold', '-o', 'name']);
  assert.equal(selected.stdout.trim(), 'widget.example.test/w1');
  const none = await h.kubectl.run(['get', 'wg', '-l', 'tier=silver']);
  assert.equal(none.stderr.trim(), 'No resources found in default namespace.');

  const failedTest = await h.kubectl.run(['patch', 'wg', 'w1', '--type=json', '-p', '[{"op":"test","path":"/spec/color","value":"red"}]']);
  assert.equal(failedTest.code, 1);
  assert.match(failedTest.stderr, /test failed/);
  const patches = h.server.requests.filter((r) => r.method === 'PATCH').map((r) => `${r.contentType} ${r.fieldManager}`);
  assert.deepEqual(patches.slice(-5), [
    'application/merge-patch+json kubectl-annotate',
    'application/merge-patch+json kubectl-label',
    'application/merge-patch+json kubectl-patch',
    'application/json-patch+json kubectl-patch',
    'application/json-patch+json kubectl-patch',
  ]);
});

test('kubectl delete removes an object at once, or waits for its finalizer to be removed', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.kubectl.run(['apply', '-f', '-'], WIDGET);
  const deleted = await h.kubectl.run(['delete', 'wg', 'w1']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout.trim(), 'widget.example.test "w1" deleted');
  assert.equal((await h.kubectl.run(['get', 'wg', 'w1'])).code, 1);

  await h.kubectl.run(['apply', '-f', '-'], WIDGET.replace('name: w1', 'name: w2\n  finalizers: [example.test/cleanup]'));
  const waiting = h.kubectl.start(['delete', 'wg', 'w2', '--timeout=30s']);
  let terminating: Awaited<ReturnType<typeof readWidget>> | undefined;
  for (let i = 0; i < 100 && terminating?.metadata?.deletionTimestamp === undefined; i++) {
    await sleep(50);
    terminating = await readWidget(h, 'w2');
  }
  assert.ok(terminating?.metadata?.deletionTimestamp, 'DELETE sets deletionTimestamp while a finalizer remains');
  const race = await Promise.race([waiting.done, sleep(300).then(() => 'still waiting')]);
  assert.equal(race, 'still waiting', 'kubectl delete waits for the object to go');
  await h.objects.patch(
    { apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name: 'w2', namespace: 'default', finalizers: [] } },
    undefined, undefined, 'test-controller', undefined, 'application/merge-patch+json',
  );
  const result = await waiting.done;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'widget.example.test "w2" deleted');
  assert.equal(h.server.peek('example.test/v1', 'Widget', 'default', 'w2'), undefined);
});
