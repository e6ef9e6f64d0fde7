// SPDX-License-Identifier: MIT
// client-node against the fake's write rules: AlreadyExists vs Conflict, custom-resource update
// rules, generation, the status subresource, merge and JSON patch, no-op writes, namespaces.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { apiFailure, installWidgetCrd, patchWidgetStatus, readWidget, startHarness, widget } from './test-harness.js';

test('create twice is 409 AlreadyExists; a stale resourceVersion is 409 Conflict', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const created = await h.objects.create(widget('w1'));
  assert.equal(created.metadata?.generation, 1);
  const again = await apiFailure(h.objects.create(widget('w1')));
  assert.equal(again.code, 409);
  assert.equal(again.status.reason, 'AlreadyExists');
  assert.equal(again.status.message, 'widgets.example.test "w1" already exists');
  assert.deepEqual(again.status.details, { name: 'w1', group: 'example.test', kind: 'widgets' });

  const fresh = await readWidget(h, 'w1');
  await h.objects.replace({ ...fresh, spec: { ...fresh.spec, color: 'blue' } });
  const stale = await apiFailure(h.objects.replace({ ...fresh, spec: { ...fresh.spec, color: 'red' } }));
  assert.equal(stale.code, 409);
  assert.equal(stale.status.reason, 'Conflict');
  assert.equal(stale.status.message, 'Operation cannot be fulfilled on widgets.example.test "w1": the object has been modified; please apply your changes to the latest version and try again');
});

test('custom resources: PUT without resourceVersion is 422, PUT to a missing object is 404, RVs are global', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const first = await h.objects.create(widget('w1'));
  const second = await h.objects.create(widget('w2'));
  assert.ok(Number(second.metadata?.resourceVersion) > Number(first.metadata?.resourceVersion));
  const withoutRv = widget('w1', { color: 'blue' });
  const unconditional = await apiFailure(h.objects.replace(withoutRv));
  assert.equal(unconditional.code, 422);
  assert.equal(unconditional.status.reason, 'Invalid');
  assert.equal(unconditional.status.message, 'Widget.example.test "w1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  const missing = await apiFailure(h.objects.replace({ ...widget('ghost'), metadata: { name: 'ghost', namespace: 'default', resourceVersion: '1' } }));
  assert.equal(missing.code, 404);
  assert.equal(missing.status.reason, 'NotFound');

  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } };
  await h.objects.create(cm);
  const replaced: KubernetesObject & { data?: Record<string, string> } = await h.objects.replace({ ...cm, data: { a: '2' } });
  assert.equal(replaced.data?.a, '2', 'built-ins accept unconditional updates');
  assert.equal(replaced.metadata?.generation, undefined, 'ConfigMaps have no generation');
});

test('generation bumps only on spec changes; status and metadata writes never bump it', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.objects.create(widget('w1'));
  const merge = async (patch: object): Promise<void> => {
    await h.objects.patch({ apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' }, ...patch }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch);
  };
  await merge({ metadata: { name: 'w1', namespace: 'default', labels: { a: 'b' }, annotations: { c: 'd' }, finalizers: ['x/y'] } });
  assert.equal((await readWidget(h, 'w1')).metadata?.generation, 1);
  await patchWidgetStatus(h, 'w1', { observedGeneration: 1 });
  assert.equal((await readWidget(h, 'w1')).metadata?.generation, 1);
  await merge({ spec: { replicas: 4 } });
  assert.equal((await readWidget(h, 'w1')).metadata?.generation, 2);
  await merge({ metadata: { name: 'w1', namespace: 'default', finalizers: null } });
});

test('status subresource: main writes drop status, /status writes keep only status', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const created = await h.objects.create({ ...widget('w1'), status: { observedGeneration: 9 } });
  assert.equal((created as { status?: unknown }).status, undefined, 'status is dropped on create');
  await patchWidgetStatus(h, 'w1', { observedGeneration: 1 });
  const current = await readWidget(h, 'w1');
  const afterMain = await h.objects.replace({ ...current, spec: { ...current.spec, replicas: 2 }, status: { observedGeneration: 42 } });
  assert.deepEqual((afterMain as { status?: unknown }).status, { observedGeneration: 1 }, 'a main-resource PUT keeps the stored status');

  const api = h.kubeConfig.makeApiClient(CustomObjectsApi);
  const latest = await readWidget(h, 'w1');
  const viaStatus = (await api.replaceNamespacedCustomObjectStatus({
    group: 'example.test', version: 'v1', namespace: 'default', plural: 'widgets', name: 'w1',
    body: { ...latest, metadata: { ...latest.metadata, labels: { sneaky: 'yes' } }, spec: { ...latest.spec, color: 'red' }, status: { observedGeneration: 2 } },
  })) as typeof latest;
  assert.deepEqual(viaStatus.status, { observedGeneration: 2 });
  assert.equal(viaStatus.spec.color, 'green', 'a /status PUT ignores spec');
  assert.equal(viaStatus.metadata?.labels, undefined, 'a /status PUT ignores metadata');
  assert.equal(viaStatus.metadata?.generation, 2);
  assert.ok(Number(viaStatus.metadata?.resourceVersion) > Number(latest.metadata?.resourceVersion));

  const invalid = await apiFailure(patchWidgetStatus(h, 'w1', { conditions: [{ type: 'Ready', status: 'Maybe' }] }));
  assert.equal(invalid.code, 422);
  assert.equal(invalid.status.message, 'Widget.example.test "w1" is invalid: [status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown", <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]');
});

test('merge and JSON patch, resourceVersion preconditions in patches, 415 for strategic merge on custom resources', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const created = await h.objects.create(widget('w1', { tags: ['a', 'b'] }));
  const ref = { apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' } };
  const merged = (await h.objects.patch({ ...ref, spec: { tags: ['c'], small: null, large: { size: 3 } } }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch)) as ReturnType<typeof widget>;
  assert.deepEqual(merged.spec, { color: 'green', replicas: 1, tags: ['c'], large: { size: 3 } }, 'merge patch replaces arrays and deletes on null');

  const jsonPatch = [{ op: 'test', path: '/spec/color', value: 'green' }, { op: 'add', path: '/spec/tags/-', value: 'd' }];
  const api = h.kubeConfig.makeApiClient(CustomObjectsApi);
  const viaJson = (await api.patchNamespacedCustomObject(
    { group: 'example.test', version: 'v1', namespace: 'default', plural: 'widgets', name: 'w1', body: jsonPatch },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  )) as ReturnType<typeof widget>;
  assert.deepEqual(viaJson.spec.tags, ['c', 'd']);

  const stalePatch = await apiFailure(h.objects.patch({ ...ref, metadata: { ...ref.metadata, resourceVersion: created.metadata?.resourceVersion } }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch));
  assert.equal(stalePatch.code, 409);
  assert.equal(stalePatch.status.reason, 'Conflict');
  const smp = await apiFailure(h.objects.patch({ ...ref, spec: { replicas: 2 } }, undefined, undefined, 'test', undefined, PatchStrategy.StrategicMergePatch));
  assert.equal(smp.code, 415);
  assert.equal(smp.status.reason, 'UnsupportedMediaType');
});

test('a write that changes nothing keeps the resourceVersion', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const created = await h.objects.create(widget('w1'));
  const before = h.server.currentResourceVersion();
  const same = await h.objects.replace(created);
  assert.equal(same.metadata?.resourceVersion, created.metadata?.resourceVersion);
  await patchWidgetStatus(h, 'w1', { observedGeneration: 1 });
  const afterStatus = h.server.currentResourceVersion();
  await patchWidgetStatus(h, 'w1', { observedGeneration: 1 });
  assert.equal(h.server.currentResourceVersion(), afterStatus, 'an identical status write is a no-op');
  assert.equal(afterStatus, before + 1);
});

test('namespaced creates need an existing namespace; Leases CRUD with resourceVersion conflicts', async (t) => {
  const h = await startHarness(t);
  const core = h.kubeConfig.makeApiClient(CoreV1Api);
  const noNamespace = await apiFailure(core.createNamespacedConfigMap({ namespace: 'absent', body: { metadata: { name: 'c' } } }));
  assert.equal(noNamespace.code, 404);
  assert.equal(noNamespace.status.message, 'namespaces "absent" not found');

  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'leader', namespace: 'default' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } };
  const created = await h.objects.create(lease);
  const takeover = await h.objects.replace({ ...created, spec: { ...lease.spec, holderIdentity: 'b' } });
  assert.equal(takeover.spec.holderIdentity, 'b');
  const loser = await apiFailure(h.objects.replace({ ...created, spec: { ...lease.spec, holderIdentity: 'c' } }));
  assert.equal(loser.code, 409);
  assert.equal(loser.status.message, 'Operation cannot be fulfilled on leases.coordination.k8s.io "leader": the object has been modified; please apply your changes to the latest version and try again');
  await h.objects.delete(takeover);
  const gone = await apiFailure(h.objects.read(lease));
  assert.equal(gone.code, 404);
});
