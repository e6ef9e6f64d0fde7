// SPDX-License-Identifier: MIT
// The test hooks and the wire basics: injected failures, request delays, the request log,
// delayed and garbage watch events, discovery, protobuf rejection and the kubeconfig.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { apiFailure, startHarness } from './test-harness.js';

const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } };

test('injected failures answer N matching requests with a Status, then the server recovers', async (t) => {
  const h = await startHarness(t);
  h.server.hooks.injectFailure({ code: 503, times: 2, match: (r) => r.info?.resource === 'configmaps' && r.info.verb === 'create' });
  const first = await apiFailure(h.objects.create(configMap));
  assert.equal(first.code, 503);
  assert.equal(first.status.reason, 'ServiceUnavailable');
  assert.equal((await apiFailure(h.objects.create(configMap))).code, 503);
  await h.objects.create(configMap);
  h.server.hooks.injectFailure({ code: 409, match: (r) => r.method === 'PUT' });
  const conflict = await apiFailure(h.objects.replace(configMap));
  assert.equal(conflict.status.reason, 'Conflict');
  const creates = h.server.requests.filter((r) => r.verb === 'create' && r.resource === 'configmaps');
  assert.deepEqual(creates.map((r) => r.status), [503, 503, 201]);
  assert.deepEqual(h.server.requests.writes('configmaps').map((r) => `${r.verb} ${r.status}`), ['create 503', 'create 503', 'create 201', 'update 409']);
});

test('the request log records verb, content type and field manager of every request', async (t) => {
  const h = await startHarness(t);
  const core = h.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap, fieldManager: 'reconciler' });
  await core.readNamespacedConfigMap({ namespace: 'default', name: 'c' });
  await core.listNamespacedConfigMap({ namespace: 'default' });
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'c' });
  const log = h.server.requests.all().map((r) => [r.verb, r.path, r.contentType ?? '', r.fieldManager ?? '', r.status].join(' '));
  assert.deepEqual(log, [
    'create /api/v1/namespaces/default/configmaps application/json reconciler 201',
    'get /api/v1/namespaces/default/configmaps/c   200',
    'list /api/v1/namespaces/default/configmaps   200',
    'delete /api/v1/namespaces/default/configmaps/c application/json  200',
  ]);
  h.server.requests.clear();
  assert.deepEqual(h.server.requests.all(), []);
});

test('delayed watch delivery and delayed requests hold back answers; garbage lines reach clients', async (t) => {
  const h = await startHarness(t);
  const received: { type: string; at: number }[] = [];
  let ended: (err: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => (ended = resolve));
  const controller = await new Watch(h.kubeConfig).watch('/api/v1/namespaces/default/configmaps', { resourceVersion: String(h.server.currentResourceVersion()) }, (type) => received.push({ type, at: Date.now() }), (err) => ended(err));
  t.after(() => controller.abort());
  h.server.hooks.delayWatchEvents(300);
  const sent = Date.now();
  await h.objects.create(configMap);
  for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(received[0]?.type, 'ADDED');
  assert.ok(received[0].at - sent >= 290, 'the event waited for the delay');
  h.server.hooks.delayWatchEvents(0);
  h.server.hooks.sendWatchGarbage();
  await h.objects.delete(configMap);
  for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(received.map((e) => e.type), ['ADDED', 'DELETED'], 'client-node 1.4 skips a garbage line and carries on');
  h.server.hooks.dropWatches();
  assert.equal(await done, null, 'a dropped watch ends cleanly');
  await h.objects.create(configMap);

  h.server.hooks.delayRequests({ ms: 200, match: (r) => r.info?.verb === 'get' });
  const before = Date.now();
  await h.objects.read(configMap);
  assert.ok(Date.now() - before >= 190);
});

test('discovery, version and protobuf rejection', async (t) => {
  const h = await startHarness(t);
  const version = (await (await fetch(`${h.server.baseUrl}/version`)).json()) as { gitVersion: string };
  assert.equal(version.gitVersion, 'v1.32.0');
  const groups = (await (await fetch(`${h.server.baseUrl}/apis`)).json()) as { groups: { name: string }[] };
  assert.deepEqual(groups.groups.map((g) => g.name), ['events.k8s.io', 'coordination.k8s.io', 'rbac.authorization.k8s.io', 'policy', 'networking.k8s.io', 'apps', 'apiextensions.k8s.io']);
  const core = (await (await fetch(`${h.server.baseUrl}/api/v1`)).json()) as { resources: { name: string; namespaced: boolean }[] };
  assert.ok(core.resources.some((r) => r.name === 'namespaces/status' && !r.namespaced));
  const protobuf = await fetch(`${h.server.baseUrl}/api/v1/namespaces`, { headers: { Accept: 'application/vnd.kubernetes.protobuf' } });
  assert.equal(protobuf.status, 406);
  assert.equal(((await protobuf.json()) as { reason: string }).reason, 'NotAcceptable');
  const kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfigPath);
  assert.equal(kc.getCurrentCluster()?.server, h.server.baseUrl);
  const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
  assert.deepEqual(namespaces.items.map((n) => n.metadata?.name), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  const versions = await h.kubectl.run(['api-resources', '--api-group=coordination.k8s.io']);
  assert.equal(versions.code, 0, versions.stderr);
  assert.match(versions.stdout, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
});
