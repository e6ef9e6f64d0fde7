// SPDX-License-Identifier: MIT
// Rotation of a SelfSigned RepositorySigner: at renewalTime on the fake clock, on a new value of the
// reposign.dev/rotate annotation (exactly once), and across an operator restart in the middle of
// an issuance (no second certificate). Old certificates stay published.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMapObject, SecretObject } from '../../operator/src/kube/kube-object.js';
import { CONFIG_MAPS, SECRETS } from '../../operator/src/kube/resources.js';
import { readRecords } from '../../operator/src/objects/records-config-map.js';
import { parseTimestamp } from '../../operator/src/reconcile/time.js';
import { conditionOf, eventually, selfSignedManifest, startOperatorHarness, type OperatorHarness } from './operator-harness.js';

async function readyWithRevision(h: OperatorHarness, revision: number): Promise<string> {
  const signer = await eventually(async () => {
    const current = await h.signer('nuget', 'feed');
    const done = conditionOf(current, 'Ready')?.status === 'True' && current?.status?.revision === revision && conditionOf(current, 'SignerServiceSynced')?.status === 'True';
    return done ? current : undefined;
  }, `Ready at revision ${revision}`);
  return signer.status?.fingerprint ?? '';
}

async function publishedFingerprints(h: OperatorHarness): Promise<string[]> {
  return readRecords(await h.client.get<ConfigMapObject>(CONFIG_MAPS, 'nuget', 'feed-certificates')).map((r) => r.fingerprintSha256);
}

async function configuredFingerprint(h: OperatorHarness): Promise<string | undefined> {
  const secret = await h.client.get<SecretObject>(SECRETS, 'nuget', 'feed-signer-config');
  return secret?.metadata?.annotations?.['reposign.dev/certificate-fingerprint'];
}

test('the certificate is renewed at renewalTime on the clock, once, and the old one stays published', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  h.startOperator();
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'))).code, 0);
  const first = await readyWithRevision(h, 1);
  const signer = await h.signer('nuget', 'feed');
  const renewalTime = parseTimestamp(signer?.status?.renewalTime ?? '');
  // renewBefore 240h: the renewal is due 240h before notAfter.
  assert.equal(parseTimestamp(signer?.status?.notAfter ?? '') - renewalTime, 240 * 3_600_000);

  await h.clock.advance(renewalTime - h.clock.now() - 60_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await h.signer('nuget', 'feed'))?.status?.revision, 1, 'nothing happens before renewalTime');

  await h.clock.advance(61_000);
  const second = await readyWithRevision(h, 2);
  assert.notEqual(second, first);
  assert.deepEqual(await publishedFingerprints(h), [first, second], 'append-only: the old certificate stays listed');
  assert.equal(await configuredFingerprint(h), second);
  const retired = await h.client.get<SecretObject>(SECRETS, 'nuget', 'feed-signing-rev1');
  assert.equal(retired?.metadata?.annotations?.['reposign.dev/certificate-fingerprint'], first, 'the previous key is kept as a retired copy');

  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal((await h.signer('nuget', 'feed'))?.status?.revision, 2, 'exactly one renewal');
});

test('kubectl annotate reposign.dev/rotate makes exactly one rotation per new value', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  h.startOperator();
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'))).code, 0);
  const first = await readyWithRevision(h, 1);

  const annotated = await h.kubectl.run(['annotate', '-n', 'nuget', 'rsig/feed', 'reposign.dev/rotate=2026-11-28T10:00:00Z']);
  assert.equal(annotated.code, 0, annotated.stderr);
  assert.equal(annotated.stdout.trim(), 'repositorysigner.reposign.dev/feed annotated');
  const second = await readyWithRevision(h, 2);
  assert.notEqual(second, first);
  const signer = await h.signer('nuget', 'feed');
  assert.equal(signer?.status?.lastHandledRotationRequest, '2026-11-28T10:00:00Z');

  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal((await h.signer('nuget', 'feed'))?.status?.revision, 2, 'the same value does not rotate again');
  assert.deepEqual(await publishedFingerprints(h), [first, second]);

  assert.equal((await h.kubectl.run(['annotate', '--overwrite', '-n', 'nuget', 'rsig/feed', 'reposign.dev/rotate=2026-11-29T10:00:00Z'])).code, 0);
  const third = await readyWithRevision(h, 3);
  assert.deepEqual(await publishedFingerprints(h), [first, second, third]);
});

test('an operator restarted in the middle of an issuance makes no second certificate', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  const one = h.startOperator({ identity: 'operator-a' });
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'))).code, 0);
  const first = await readyWithRevision(h, 1);

  // The rotation's first status write (Issuing=True) goes through; the issuance then writes the new
  // key Secret and every later status write fails: the process "dies" there.
  let statusWrites = 0;
  h.server.hooks.injectFailure({ match: (request) => request.info?.subresource === 'status' && request.method === 'PATCH' && ++statusWrites > 1, code: 503, times: Infinity });
  assert.equal((await h.kubectl.run(['annotate', '-n', 'nuget', 'rsig/feed', 'reposign.dev/rotate=now'])).code, 0);
  const issued = await eventually(async () => {
    const key = await h.client.get<SecretObject>(SECRETS, 'nuget', 'feed-signing');
    const fingerprint = key?.metadata?.annotations?.['reposign.dev/certificate-fingerprint'];
    return fingerprint !== undefined && fingerprint !== first ? fingerprint : undefined;
  }, 'the new key Secret');
  await one.manager.stop();
  h.server.hooks.reset();

  h.startOperator({ identity: 'operator-b' });
  const second = await readyWithRevision(h, 2);
  assert.equal(second, issued, 'the restarted operator completes the issuance it finds, without issuing again');
  assert.deepEqual(await publishedFingerprints(h), [first, second]);
  const keyWrites = h.server.requests.writes('secrets').filter((entry) => entry.name === 'feed-signing');
  assert.deepEqual(keyWrites.map((entry) => entry.verb), ['update'], 'the rotation wrote the key Secret once');
});
