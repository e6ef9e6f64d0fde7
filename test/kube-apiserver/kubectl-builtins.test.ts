// SPDX-License-Identifier: MIT
// kubectl against built-in kinds: client-side apply of a ConfigMap and a Deployment goes through
// strategic merge patch, generators' protobuf bodies get 415, and a namespace delete cascades
// through the namespace controller.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHarness } from './test-harness.js';

const DEPLOYMENT = (image: string, env: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        env: [{name: MODE, value: ${env}}]
      - name: sidecar
        image: busybox
`;

test('kubectl apply of built-ins uses strategic merge patch and merges containers by name', async (t) => {
  const h = await startHarness(t);
  const created = await h.kubectl.run(['apply', '-f', '-'], DEPLOYMENT('nginx:1', 'a'));
  assert.equal(created.stdout.trim(), 'deployment.apps/web created', created.stderr);
  const updated = await h.kubectl.run(['apply', '-f', '-'], DEPLOYMENT('nginx:2', 'b'));
  assert.equal(updated.stdout.trim(), 'deployment.apps/web configured', updated.stderr);
  const patch = h.server.requests.filter((r) => r.method === 'PATCH');
  assert.deepEqual(patch.map((r) => `${r.contentType} ${r.status}`), ['application/strategic-merge-patch+json 200']);
  const stored = h.server.peek('apps/v1', 'Deployment', 'default', 'web') as unknown as {
    metadata: { generation: number };
    spec: { template: { spec: { containers: { name: string; image: string; env?: unknown }[] } } };
  };
  assert.equal(stored.metadata.generation, 2);
  assert.deepEqual(stored.spec.template.spec.containers, [
    { name: 'web', image: 'nginx:2', env: [{ name: 'MODE', value: 'b' }] },
    { name: 'sidecar', image: 'busybox' },
  ]);

  const cm = await h.kubectl.run(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n');
  assert.equal(cm.stdout.trim(), 'configmap/settings created', cm.stderr);
  const get = await h.kubectl.run(['get', 'cm', 'settings']);
  assert.deepEqual(get.stdout.trim().split('\n')[0]?.trim().split(/\s+/), ['NAME', 'AGE']);

  // kubectl's generators (`kubectl create configmap …`) send protobuf bodies; the fake speaks JSON only.
  const generator = await h.kubectl.run(['create', 'configmap', 'other', '--from-literal=a=1']);
  assert.equal(generator.code, 1);
  assert.match(generator.stderr, /the body of the request was in an unknown format/);
  assert.equal(h.server.requests.filter((r) => r.contentType === 'application/vnd.kubernetes.protobuf').map((r) => r.status)[0], 415);
});

test('deleting a namespace removes its contents, then the namespace', async (t) => {
  const h = await startHarness(t);
  const apply = await h.kubectl.run(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: team}\n');
  assert.equal(apply.stdout.trim(), 'namespace/team created\nconfigmap/c created', apply.stderr);
  const deleted = await h.kubectl.run(['delete', 'namespace', 'team', '--timeout=10s']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout.trim(), 'namespace "team" deleted');
  assert.equal(h.server.peek('v1', 'ConfigMap', 'team', 'c'), undefined);
  const missing = await h.kubectl.run(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d, namespace: team}\n');
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'Error from server (NotFound): error when creating "STDIN": namespaces "team" not found');
});
