// SPDX-License-Identifier: MIT
// kubectl against the fake's admission: schema and CEL failures print the CRD's own messages,
// strict field validation rejects unknown fields, server-side apply conflicts, and explain works.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installWidgetCrd, readWidget, startHarness } from './test-harness.js';

function widgetYaml(spec: string): string {
  return `apiVersion: example.test/v1\nkind: Widget\nmetadata:\n  name: w1\nspec: ${spec}\n`;
}

test('kubectl apply of invalid widgets prints the schema and CEL messages and exits 1', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const cases: [string, string][] = [
    ['{color: red, replicas: 0, small: {size: 1}}', 'The Widget "w1" is invalid: spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1'],
    ['{color: red, small: {size: 1}, large: {size: 2}}', 'The Widget "w1" is invalid: spec: Invalid value: "object": exactly one size block must be set'],
    ['{color: red, small: {size: 1}, ttl: 30s}', 'The Widget "w1" is invalid: spec.ttl: Invalid value: "object": ttl must be at least 1m'],
    ['{color: red, replicas: 7, small: {size: 1}}', 'The Widget "w1" is invalid: spec: Invalid value: "object": red widgets allow at most 5 replicas, got 7'],
  ];
  for (const [spec, message] of cases) {
    const result = await h.kubectl.run(['apply', '-f', '-'], widgetYaml(spec));
    assert.equal(result.code, 1, spec);
    assert.equal(result.stderr.trim(), message, spec);
  }
  // An enum (or required, type, length) failure blocks CEL evaluation, and the apiserver says so.
  const blocked = await h.kubectl.run(['apply', '-f', '-'], widgetYaml('{color: purple, replicas: 11}'));
  assert.equal(blocked.code, 1);
  assert.deepEqual(blocked.stderr.trim().split('\n'), [
    'The Widget "w1" is invalid: ',
    '* spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"',
    '* spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
    '* <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  ]);
  // A pattern failure does not block CEL, whose runtime error is reported too.
  const both = await h.kubectl.run(['apply', '-f', '-'], widgetYaml('{color: red, small: {size: 1}, ttl: soon}'));
  const lines = both.stderr.trim().split('\n');
  assert.equal(lines[1], `* spec.ttl: Invalid value: "soon": spec.ttl in body should match '^([0-9]+(s|m|h))+$'`);
  assert.match(lines[2] ?? '', /^\* spec: Invalid value: "object": .* evaluating rule: ttl must be at least 1m$/);
  assert.deepEqual(h.server.requests.filter((r) => r.verb === 'create' && r.resource === 'widgets').map((r) => r.status), [422, 422, 422, 422, 422, 422]);
});

test('kubectl apply rejects unknown fields (fieldValidation=Strict) and transition rules guard updates', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const unknown = await h.kubectl.run(['apply', '-f', '-'], widgetYaml('{color: red, small: {size: 1}, bogus: 1}'));
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr.trim(), 'Error from server (BadRequest): error when creating "STDIN": strict decoding error: unknown field "spec.bogus"');

  const lenient = await h.kubectl.run(['apply', '--validate=false', '-f', '-'], widgetYaml('{color: red, small: {size: 1}, bogus: 1, extra: {free: form}, owner: ann}'));
  assert.equal(lenient.code, 0, lenient.stderr);
  const stored = await readWidget(h, 'w1');
  assert.equal(stored.spec.bogus, undefined, 'unknown fields are pruned');
  assert.deepEqual(stored.spec.extra, { free: 'form' }, 'x-kubernetes-preserve-unknown-fields keeps them');

  const immutable = await h.kubectl.run(['patch', 'wg', 'w1', '--type=merge', '-p', '{"spec":{"owner":"bob"}}']);
  assert.equal(immutable.code, 1);
  assert.equal(immutable.stderr.trim(), 'The Widget "w1" is invalid: spec.owner: Invalid value: "string": owner is immutable');
});

test('kubectl apply --server-side creates, conflicts with another manager, and forces', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const created = await h.kubectl.run(['apply', '--server-side', '-f', '-'], widgetYaml('{color: green, small: {size: 1}}'));
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout.trim(), 'widget.example.test/w1 serverside-applied');
  const again = await h.kubectl.run(['apply', '--server-side', '-f', '-'], widgetYaml('{color: green, small: {size: 1}}'));
  assert.equal(again.stdout.trim(), 'widget.example.test/w1 serverside-applied');
  const rv = (await readWidget(h, 'w1')).metadata?.resourceVersion;

  const conflict = await h.kubectl.run(['apply', '--server-side', '--field-manager=ops', '-f', '-'], widgetYaml('{color: red, small: {size: 1}}'));
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl": \.spec\.color$/m);
  assert.equal((await readWidget(h, 'w1')).metadata?.resourceVersion, rv, 'neither the no-op apply nor the conflict wrote');

  const forced = await h.kubectl.run(['apply', '--server-side', '--field-manager=ops', '--force-conflicts', '-f', '-'], widgetYaml('{color: red, small: {size: 1}}'));
  assert.equal(forced.code, 0, forced.stderr);
  const after = await readWidget(h, 'w1');
  assert.equal(after.spec.color, 'red');
  const managers = (after.metadata?.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
  assert.deepEqual(managers, ['kubectl/Apply', 'ops/Apply']);
  const patches = h.server.requests.filter((r) => r.method === 'PATCH');
  assert.ok(patches.every((r) => r.contentType === 'application/apply-patch+yaml'));
  assert.deepEqual(patches.map((r) => r.status), [201, 200, 409, 200]);
});

test('kubectl explain reads the CRD schema from OpenAPI v3', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const explain = await h.kubectl.run(['explain', 'widgets.spec.replicas']);
  assert.equal(explain.code, 0, explain.stderr);
  assert.match(explain.stdout, /^KIND:\s+Widget$/m);
  assert.match(explain.stdout, /^FIELD: replicas <integer>$/m);
  assert.match(explain.stdout, /Replicas is how many copies to run\./);
  const missing = await h.kubectl.run(['explain', 'widgets.spec.nothing']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /field "nothing" does not exist/);
});
