// SPDX-License-Identifier: MIT
// Lists, deletion and garbage collection through client-node: limit/continue over a consistent
// snapshot, finalizers, DELETE preconditions, and owner-reference cascades with the GC on and off.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from './json-value.js';
import { apiFailure, installWidgetCrd, readWidget, startHarness, widget, type Harness } from './test-harness.js';

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  assert.ok(check(), `timed out waiting for ${what}`);
}

function configMap(name: string, owner?: KubernetesObject): KubernetesObject {
  const ownerReferences = owner === undefined ? undefined : [{ apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata!.name!, uid: owner.metadata!.uid! }];
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ownerReferences } };
}

function stored(h: Harness, name: string): KubeObject | undefined {
  return h.server.peek('v1', 'ConfigMap', 'default', name);
}

test('list pages with limit/continue over the snapshot of the first page; old tokens expire', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  for (const name of ['a', 'b', 'c', 'd', 'e']) await h.objects.create(widget(name));
  // KubernetesObjectApi.list of client-node 1.4 types a custom list's metadata as ObjectMeta and
  // loses `continue`, so custom resources are paged with CustomObjectsApi.
  const api = h.kubeConfig.makeApiClient(CustomObjectsApi);
  type Page = { items: KubernetesObject[]; metadata: { continue?: string; remainingItemCount?: number; resourceVersion: string } };
  const page = async (token?: string): Promise<Page> =>
    (await api.listNamespacedCustomObject({ group: 'example.test', version: 'v1', namespace: 'default', plural: 'widgets', limit: 2, _continue: token })) as Page;
  const first = await page();
  assert.deepEqual(first.items.map((i) => i.metadata?.name), ['a', 'b']);
  assert.equal(first.metadata.remainingItemCount, 3);
  await h.objects.delete(widget('c'));
  await h.objects.create(widget('f'));
  const second = await page(first.metadata.continue);
  assert.deepEqual(second.items.map((i) => i.metadata?.name), ['c', 'd'], 'the snapshot still has c and not f');
  assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
  const last = await page(second.metadata.continue);
  assert.deepEqual(last.items.map((i) => i.metadata?.name), ['e']);
  assert.equal(last.metadata.continue, undefined);

  h.server.hooks.compactHistory();
  const expired = await apiFailure(page(first.metadata.continue));
  assert.equal(expired.code, 410);
  assert.equal(expired.status.reason, 'Expired');
});

test('finalizers hold a deleted object until removed, and cannot be added after deletion', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.objects.create({ ...widget('w1'), metadata: { name: 'w1', namespace: 'default', finalizers: ['example.test/a'] } });
  await h.objects.delete(widget('w1'));
  const terminating = await readWidget(h, 'w1');
  assert.ok(terminating.metadata?.deletionTimestamp);
  assert.equal(terminating.metadata?.deletionGracePeriodSeconds, 0);
  const ref = { apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' } };
  const added = await apiFailure(h.objects.patch({ ...ref, metadata: { ...ref.metadata, finalizers: ['example.test/a', 'example.test/b'] } }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch));
  assert.equal(added.code, 422);
  assert.equal(added.status.message, 'Widget.example.test "w1" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.test/b"}');
  const updated = await h.objects.patch({ ...ref, spec: { replicas: 2 } }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch);
  assert.equal((updated as ReturnType<typeof widget>).spec.replicas, 2, 'other updates are still allowed');
  await h.objects.patch({ ...ref, metadata: { ...ref.metadata, finalizers: [] } }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch);
  const gone = await apiFailure(readWidget(h, 'w1'));
  assert.equal(gone.code, 404);
});

test('DELETE honours uid and resourceVersion preconditions', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const created = await h.objects.create(widget('w1'));
  const wrongUid = await apiFailure(h.objects.delete(widget('w1'), undefined, undefined, undefined, undefined, undefined, { preconditions: { uid: 'nope' } }));
  assert.equal(wrongUid.code, 409);
  assert.equal(wrongUid.status.message, `Operation cannot be fulfilled on widgets.example.test "w1": Precondition failed: UID in precondition: nope, UID in object meta: ${created.metadata?.uid}`);
  const wrongRv = await apiFailure(h.objects.delete(widget('w1'), undefined, undefined, undefined, undefined, undefined, { preconditions: { resourceVersion: '1' } }));
  assert.equal(wrongRv.code, 409);
  await h.objects.delete(widget('w1'), undefined, undefined, undefined, undefined, undefined, { preconditions: { uid: created.metadata?.uid, resourceVersion: created.metadata?.resourceVersion } });
  assert.equal((await apiFailure(readWidget(h, 'w1'))).code, 404);
});

test('the garbage collector deletes dependents in the background, orphans on request, and can be switched off', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const owner = await h.objects.create(widget('owner'));
  await h.objects.create(configMap('child', owner));
  await h.objects.create(configMap('dangling', { ...owner, metadata: { ...owner.metadata, uid: 'no-such-uid' } }));
  await until(() => stored(h, 'dangling') === undefined, 'the dependent of a missing owner to go');
  await h.objects.delete(owner);
  await until(() => stored(h, 'child') === undefined, 'the background cascade');

  const orphanOwner = await h.objects.create(widget('owner2'));
  await h.objects.create(configMap('orphan', orphanOwner));
  await h.objects.delete(orphanOwner, undefined, undefined, undefined, undefined, 'Orphan');
  await until(() => h.server.peek('example.test/v1', 'Widget', 'default', 'owner2') === undefined, 'the orphaning owner to go');
  assert.equal(stored(h, 'orphan')?.metadata?.ownerReferences, undefined, 'the orphan lost its owner reference');

  h.server.setGarbageCollector(false);
  const envtestOwner = await h.objects.create(widget('owner3'));
  await h.objects.create(configMap('kept', envtestOwner));
  await h.objects.delete(envtestOwner);
  await sleep(50);
  assert.ok(stored(h, 'kept'), 'without the garbage collector dependents stay, as on envtest');
  h.server.setGarbageCollector(true);
  await until(() => stored(h, 'kept') === undefined, 'the collector to catch up once enabled');
});

test('foreground deletion waits for blocking dependents', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const owner = await h.objects.create(widget('owner'));
  const child = configMap('child', owner);
  child.metadata!.ownerReferences![0].blockOwnerDeletion = true;
  child.metadata!.finalizers = ['example.test/hold'];
  await h.objects.create(child);
  await h.objects.delete(owner, undefined, undefined, undefined, undefined, 'Foreground');
  await until(() => stored(h, 'child')?.metadata?.deletionTimestamp !== undefined, 'the child to be deleted first');
  assert.deepEqual((await readWidget(h, 'owner')).metadata?.finalizers, ['foregroundDeletion']);
  await h.objects.patch({ ...configMap('child'), metadata: { name: 'child', namespace: 'default', finalizers: [] } }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch);
  await until(() => h.server.peek('example.test/v1', 'Widget', 'default', 'owner') === undefined, 'the owner to go after its child');
});
