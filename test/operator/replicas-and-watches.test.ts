// SPDX-License-Identifier: MIT
// The runtime around the decisions: two replicas with leader election (only the leader acts, the
// other takes over when it leaves), a watch cut off with its history compacted (410: the operator
// relists and misses nothing), and deletion (owned Secrets go, published records stay).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMapObject, SecretObject } from '../../operator/src/kube/kube-object.js';
import { CONFIG_MAPS, SECRETS } from '../../operator/src/kube/resources.js';
import { readRecords } from '../../operator/src/objects/records-config-map.js';
import { conditionOf, eventually, selfSignedManifest, startOperatorHarness, type OperatorHarness } from './operator-harness.js';

async function ready(h: OperatorHarness, revision: number): Promise<void> {
  await eventually(async () => {
    const signer = await h.signer('nuget', 'feed');
    return conditionOf(signer, 'Ready')?.status === 'True' && signer?.status?.revision === revision ? true : undefined;
  }, `Ready at revision ${revision}`);
}

async function reconciles(metrics: { registry: { getSingleMetricAsString(name: string): Promise<string> } }): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString('reposign_operator_reconcile_total');
  return [...text.matchAll(/^reposign_operator_reconcile_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

test('two replicas: only the lease holder reconciles; when it leaves, the other takes over', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  const a = h.startOperator({ identity: 'replica-a', leaderElection: true });
  await eventually(async () => (a.manager.isLeader() ? true : undefined), 'replica-a leading');
  const b = h.startOperator({ identity: 'replica-b', leaderElection: true });
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'))).code, 0);
  await ready(h, 1);
  assert.equal(b.manager.isLeader(), false);
  assert.ok((await reconciles(a.metrics)) > 0);
  assert.equal(await reconciles(b.metrics), 0, 'the standby replica never reconciled');
  const lease = await h.kubectl.run(['get', 'lease', '-n', 'kube-system', 'reposign-operator', '-o', 'jsonpath={.spec.holderIdentity}']);
  assert.equal(lease.stdout, 'replica-a');

  await a.manager.stop();
  // The released lease lets replica-b take over at its next retry.
  await h.clock.advance(2_000);
  await eventually(async () => (b.manager.isLeader() ? true : undefined), 'replica-b leading');
  assert.equal((await h.kubectl.run(['annotate', '-n', 'nuget', 'rsig/feed', 'reposign.dev/rotate=after-failover'])).code, 0);
  await ready(h, 2);
  assert.ok((await reconciles(b.metrics)) > 0);
});

test('a watch cut off while its history is compacted: the operator relists and acts on what happened meanwhile', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  h.startOperator();
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'))).code, 0);
  await ready(h, 1);
  const lists = (): number => h.server.requests.filter((entry) => entry.verb === 'list' && entry.resource === 'repositorysigners').length;
  const listsBefore = lists();

  // New watches wait a moment; the change lands while no watch is open, then the history goes.
  h.server.hooks.delayRequests({ match: (request) => request.query.get('watch') === 'true', ms: 500, times: 3 });
  h.server.hooks.dropWatches(true);
  assert.equal((await h.kubectl.run(['annotate', '-n', 'nuget', 'rsig/feed', 'reposign.dev/rotate=while-disconnected'])).code, 0);
  h.server.hooks.compactHistory();

  await ready(h, 2);
  assert.ok(lists() > listsBefore, 'the operator relisted after 410');
  assert.equal((await h.signer('nuget', 'feed'))?.status?.lastHandledRotationRequest, 'while-disconnected');
});

test('kubectl delete: the operator removes the Secrets it owns and keeps the published records', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  h.startOperator();
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'))).code, 0);
  await ready(h, 1);
  assert.equal((await h.kubectl.run(['annotate', '-n', 'nuget', 'rsig/feed', 'reposign.dev/rotate=one'])).code, 0);
  await ready(h, 2);
  const signer = await h.signer('nuget', 'feed');
  assert.deepEqual(signer?.metadata.finalizers, ['reposign.dev/cleanup']);

  const deleted = await h.kubectl.run(['delete', '-n', 'nuget', 'rsig/feed', '--timeout=60s']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout.trim(), 'repositorysigner.reposign.dev "feed" deleted');
  assert.equal(await h.signer('nuget', 'feed'), undefined);
  for (const name of ['feed-signing', 'feed-signing-rev1', 'feed-signer-config']) {
    assert.equal(await h.client.get<SecretObject>(SECRETS, 'nuget', name), undefined, `${name} is gone`);
  }
  const records = readRecords(await h.client.get<ConfigMapObject>(CONFIG_MAPS, 'nuget', 'feed-certificates'));
  assert.equal(records.length, 2, 'both published certificates stay listed');
  const listed = await h.kubectl.run(['get', 'configmap', '-n', 'nuget', 'feed-certificates', '-o', 'name']);
  assert.equal(listed.stdout.trim(), 'configmap/feed-certificates');
});
