// SPDX-License-Identifier: MIT
// Watches through client-node's Watch: initial ADDED events, bookmarks, 410 Expired after
// compaction, label-selector transitions, field selectors, timeouts and dropped connections.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PatchStrategy, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { installWidgetCrd, readWidget, startHarness, widget, type Harness } from './test-harness.js';

const WIDGETS = '/apis/example.test/v1/namespaces/default/widgets';

interface Recorded {
  events: { type: string; name?: string; rv?: string; object: Record<string, unknown> }[];
  ended: Promise<unknown>;
  abort: () => void;
}

async function record(h: Harness, query: Record<string, string | number | boolean>): Promise<Recorded> {
  const events: Recorded['events'] = [];
  let end: (err: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (end = resolve));
  const controller = await new Watch(h.kubeConfig).watch(
    WIDGETS,
    query,
    (type, object: KubernetesObject & Record<string, unknown>) => events.push({ type, name: object.metadata?.name, rv: object.metadata?.resourceVersion, object }),
    (err) => end(err),
  );
  return { events, ended, abort: () => controller.abort() };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  assert.ok(check(), `timed out waiting for ${what}`);
}

async function label(h: Harness, name: string, labels: Record<string, string | null>): Promise<void> {
  await h.objects.patch({ apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name, namespace: 'default', labels } as never }, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch);
}

test('a watch from RV 0 starts with ADDED, relays changes, skips no-op writes and sends bookmarks', async (t) => {
  const h = await startHarness(t, { bookmarkIntervalMs: 50 });
  await installWidgetCrd(h);
  await h.objects.create(widget('w1'));
  const watch = await record(h, { resourceVersion: '0', allowWatchBookmarks: true });
  t.after(() => watch.abort());
  await until(() => watch.events.some((e) => e.type === 'ADDED'), 'ADDED');
  const current = await readWidget(h, 'w1');
  await h.objects.replace(current);
  await label(h, 'w1', { a: 'b' });
  await h.objects.delete(widget('w1'));
  await until(() => watch.events.some((e) => e.type === 'DELETED'), 'DELETED');
  await until(() => watch.events.some((e) => e.type === 'BOOKMARK'), 'BOOKMARK');
  const changes = watch.events.filter((e) => e.type !== 'BOOKMARK');
  assert.deepEqual(changes.map((e) => `${e.type} ${e.name}`), ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  assert.ok(Number(changes[2].rv) > Number(changes[1].rv), 'the DELETED object carries the deletion RV');
  const bookmark = watch.events.find((e) => e.type === 'BOOKMARK')!;
  assert.deepEqual(Object.keys(bookmark.object).sort(), ['apiVersion', 'kind', 'metadata']);
  assert.deepEqual(Object.keys(bookmark.object.metadata as object), ['resourceVersion']);
});

test('a watch from a compacted resourceVersion gets an ERROR 410 Expired and ends', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const list = await h.objects.list('example.test/v1', 'Widget', 'default');
  const oldRv = list.metadata?.resourceVersion ?? '';
  await h.objects.create(widget('w1'));
  const replay = await record(h, { resourceVersion: oldRv });
  await until(() => replay.events.length === 1, 'the replayed ADDED');
  assert.equal(replay.events[0].type, 'ADDED', 'events after the RV are replayed');
  replay.abort();

  h.server.hooks.compactHistory();
  const expired = await record(h, { resourceVersion: oldRv });
  await expired.ended;
  assert.equal(expired.events.length, 1);
  assert.equal(expired.events[0].type, 'ERROR');
  const status = expired.events[0].object;
  assert.equal(status.kind, 'Status');
  assert.equal(status.code, 410);
  assert.equal(status.reason, 'Expired');
  assert.match(String(status.message), /^too old resource version: \d+ \(\d+\)$/);
});

test('a label-selector watch sees ADDED and DELETED as objects start and stop matching', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const watch = await record(h, { labelSelector: 'tier=gold', resourceVersion: String(h.server.currentResourceVersion()) });
  t.after(() => watch.abort());
  await h.objects.create(widget('w1'));
  await label(h, 'w1', { tier: 'gold' });
  await label(h, 'w1', { tier: 'gold', other: 'x' });
  await label(h, 'w1', { tier: 'silver' });
  await h.objects.delete(widget('w1'));
  await until(() => watch.events.length >= 3, 'three events');
  await sleep(50);
  assert.deepEqual(watch.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.deepEqual((watch.events[2].object.metadata as { labels: unknown }).labels, { tier: 'silver', other: 'x' });
});

test('field selectors, timeoutSeconds and dropped connections end or filter watches', async (t) => {
  const h = await startHarness(t);
  await installWidgetCrd(h);
  const named = await record(h, { fieldSelector: 'metadata.name=w2', resourceVersion: String(h.server.currentResourceVersion()) });
  const timed = await record(h, { timeoutSeconds: 1 });
  await h.objects.create(widget('w1'));
  await h.objects.create(widget('w2'));
  await until(() => named.events.length === 1, 'the w2 event');
  assert.equal(named.events[0].name, 'w2');
  const started = Date.now();
  await timed.ended;
  assert.ok(Date.now() - started < 1500, 'the server closes the watch at timeoutSeconds');
  assert.equal(h.server.hooks.openWatches(), 1);
  h.server.hooks.dropWatches();
  await named.ended;
  assert.equal(h.server.hooks.openWatches(), 0);
  assert.deepEqual(h.server.requests.filter((r) => r.verb === 'watch').map((r) => r.status), [200, 200]);
});
