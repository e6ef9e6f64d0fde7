// SPDX-License-Identifier: MIT
// Server-side apply through client-node: create on apply, fieldManager required, conflicts with
// FieldManagerConflict causes, force, removal of fields a manager stops applying, no-op applies.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PatchStrategy } from '@kubernetes/client-node';
import { apiFailure, installWidgetCrd, readWidget, startHarness, widget } from './test-harness.js';

const APPLY = PatchStrategy.ServerSideApply;

test('apply creates, conflicts with another manager, and force moves ownership', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const noManager = await apiFailure(h.objects.patch(widget('w1'), undefined, undefined, undefined, undefined, APPLY));
  assert.equal(noManager.code, 422);
  assert.equal(noManager.status.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');

  const created = await h.objects.patch(widget('w1', { replicas: 2 }), undefined, undefined, 'alice', undefined, APPLY);
  assert.equal(created.metadata?.generation, 1);
  const conflict = await apiFailure(h.objects.patch(widget('w1', { replicas: 3 }), undefined, undefined, 'bob', false, APPLY));
  assert.equal(conflict.code, 409);
  assert.equal(conflict.status.reason, 'Conflict');
  assert.equal(conflict.status.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual((conflict.status.details as { causes: unknown }).causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);

  const sharing = await h.objects.patch(widget('w1', { replicas: 2 }), undefined, undefined, 'bob', false, APPLY);
  assert.equal(sharing.metadata?.resourceVersion === created.metadata?.resourceVersion, false, 'bob becomes a co-owner');
  const forced = await h.objects.patch(widget('w1', { replicas: 5, color: 'blue' }), undefined, undefined, 'bob', true, APPLY);
  assert.equal(forced.spec.replicas, 5);
  const owners = new Map<string, Record<string, Record<string, unknown>>>();
  for (const m of forced.metadata?.managedFields ?? []) owners.set(m.manager ?? '', m.fieldsV1 as Record<string, Record<string, unknown>>);
  assert.equal(owners.get('alice')?.['f:spec']?.['f:replicas'], undefined);
  assert.deepEqual(owners.get('bob')?.['f:spec']?.['f:replicas'], {});

  const updater = await apiFailure(h.objects.patch(widget('w1', { color: 'red' }), undefined, undefined, 'alice', false, APPLY));
  assert.equal(updater.status.message, 'Apply failed with 1 conflict: conflict with "bob": .spec.color');
  const byUpdate = await readWidget(h, 'w1');
  await h.objects.replace({ ...byUpdate, spec: { ...byUpdate.spec, color: 'red' } }, undefined, undefined, 'editor');
  const againstUpdate = await apiFailure(h.objects.patch(widget('w1', { replicas: 5, color: 'green' }), undefined, undefined, 'bob', false, APPLY));
  assert.equal(againstUpdate.status.message, 'Apply failed with 1 conflict: conflict with "editor" using example.test/v1: .spec.color');
});

test('apply drops fields the manager no longer applies, unless someone else owns them; a repeated apply is a no-op', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.objects.patch(widget('w1', { tags: ['a'], ttl: '5m' }), undefined, undefined, 'alice', undefined, APPLY);
  await h.objects.patch(widget('w1', { tags: ['a'] }), undefined, undefined, 'bob', undefined, APPLY);
  const applied = await h.objects.patch(widget('w1', {}), undefined, undefined, 'alice', undefined, APPLY);
  const { spec } = applied;
  assert.equal(spec.ttl, undefined, 'alice alone owned ttl, so it goes');
  assert.deepEqual(spec.tags, ['a'], 'bob still owns tags');

  const rv = applied.metadata?.resourceVersion;
  const writesBefore = h.server.currentResourceVersion();
  const again = await h.objects.patch(widget('w1', {}), undefined, undefined, 'alice', undefined, APPLY);
  assert.equal(again.metadata?.resourceVersion, rv);
  assert.equal(h.server.currentResourceVersion(), writesBefore);
});

test('apply to the status subresource owns status only', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  await h.objects.create(widget('w1'));
  const res = await fetch(`${h.server.baseUrl}/apis/example.test/v1/namespaces/default/widgets/w1/status?fieldManager=ctl`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/apply-patch+yaml' },
    body: 'apiVersion: example.test/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  color: red\nstatus:\n  conditions:\n  - type: Ready\n    status: "True"\n',
  });
  assert.equal(res.status, 200);
  const stored = await readWidget(h, 'w1');
  assert.equal(stored.spec.color, 'green');
  assert.deepEqual(stored.status, { conditions: [{ type: 'Ready', status: 'True' }] });
  const entry = stored.metadata?.managedFields?.find((m) => m.manager === 'ctl');
  assert.equal(entry?.subresource, 'status');
  assert.deepEqual(entry?.fieldsV1, { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } } } });
});
