// SPDX-License-Identifier: MIT
// StoredCertificate: the user's Secret (here cert-manager's tls.crt/tls.key shape) is read, never
// changed; replacing it publishes the new certificate and keeps the old one listed. A Secret that
// is missing makes ProviderReady False and the operator waits without looping.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSelfSignedCertificate } from '@reposign/signing';
import type { ConfigMapObject, SecretObject } from '../../operator/src/kube/kube-object.js';
import { CONFIG_MAPS, SECRETS } from '../../operator/src/kube/resources.js';
import { readRecords } from '../../operator/src/objects/records-config-map.js';
import { USER_SECRET_RECHECK_MS } from '../../operator/src/modes/stored-certificate-mode.js';
import { conditionOf, eventually, settledWrites, startOperatorHarness, type OperatorHarness } from './operator-harness.js';

const MANIFEST = JSON.stringify({
  apiVersion: 'reposign.dev/v1alpha1',
  kind: 'RepositorySigner',
  metadata: { name: 'feed', namespace: 'nuget' },
  spec: {
    mode: 'StoredCertificate',
    storedCertificate: { fileSecretRef: { name: 'user-tls', key: 'tls.crt' }, keyFileSecretRef: { name: 'user-tls', key: 'tls.key' } },
  },
});

async function userSecret(h: OperatorHarness, commonName: string): Promise<string> {
  const generated = await generateSelfSignedCertificate({ subject: `CN=${commonName}`, keyBits: 2048, validityDays: 90, notBefore: new Date(h.clock.now() - 3_600_000) });
  const manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'user-tls', namespace: 'nuget' },
    type: 'kubernetes.io/tls',
    stringData: { 'tls.crt': generated.certificatePem, 'tls.key': generated.privateKeyPem },
  };
  const applied = await h.kubectl.run(['apply', '-f', '-'], JSON.stringify(manifest));
  assert.equal(applied.code, 0, applied.stderr);
  return generated.certificatePem;
}

async function publishedCount(h: OperatorHarness): Promise<number> {
  return readRecords(await h.client.get<ConfigMapObject>(CONFIG_MAPS, 'nuget', 'feed-certificates')).length;
}

test("a replaced user Secret: the new certificate is published and configured, the old one kept, the user's Secret untouched", { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  await userSecret(h, 'first');
  h.startOperator();
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], MANIFEST)).code, 0);
  assert.equal((await h.kubectl.run(['wait', '--for=condition=Ready', '--timeout=60s', '-n', 'nuget', 'rsig/feed'])).code, 0);
  const first = (await h.signer('nuget', 'feed'))?.status?.fingerprint;
  assert.equal(conditionOf(await h.signer('nuget', 'feed'), 'Issuing')?.reason, 'UserManaged');

  const userWritesBefore = h.server.requests.writes('secrets').filter((entry) => entry.name === 'user-tls').length;
  await userSecret(h, 'second');
  await h.clock.advance(USER_SECRET_RECHECK_MS);
  const signer = await eventually(async () => {
    const current = await h.signer('nuget', 'feed');
    return current?.status?.revision === 2 && conditionOf(current, 'SignerServiceSynced')?.status === 'True' ? current : undefined;
  }, 'revision 2 configured');
  assert.notEqual(signer.status?.fingerprint, first);
  assert.equal(await publishedCount(h), 2, 'both certificates stay published');
  const operatorWrites = h.server.requests.writes('secrets').filter((entry) => entry.name === 'user-tls' && entry.fieldManager === 'reposign-operator');
  assert.deepEqual(operatorWrites, [], "the operator never writes the user's Secret");
  assert.equal(h.server.requests.writes('secrets').filter((entry) => entry.name === 'user-tls').length, userWritesBefore + 1);
  const config = await h.client.get<SecretObject>(SECRETS, 'nuget', 'feed-signer-config');
  assert.equal(config?.metadata?.annotations?.['reposign.dev/certificate-fingerprint'], signer.status?.fingerprint);
});

test('a missing user Secret: ProviderReady False, a recheck per minute and no write loop; it recovers when the Secret appears', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  h.startOperator();
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], MANIFEST)).code, 0);
  const waiting = await eventually(async () => {
    const current = await h.signer('nuget', 'feed');
    return conditionOf(current, 'ProviderReady')?.status === 'False' ? current : undefined;
  }, 'ProviderReady False');
  assert.equal(conditionOf(waiting, 'ProviderReady')?.reason, 'InvalidProviderConfig');
  assert.match(conditionOf(waiting, 'ProviderReady')?.message ?? '', /Secret user-tls does not exist/);
  assert.equal(conditionOf(waiting, 'Ready')?.status, 'False');

  const writes = await settledWrites(h);
  const reads = h.server.requests.filter((entry) => entry.name === 'user-tls' && entry.verb === 'get').length;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.deepEqual(h.server.requests.writes().slice(writes).map((e) => `${e.verb} ${e.resource}/${e.subresource ?? ''} ${e.name ?? ''}`), [], 'no writes while waiting');
  assert.equal(h.server.requests.filter((entry) => entry.name === 'user-tls' && entry.verb === 'get').length, reads, 'no polling faster than the recheck');

  await userSecret(h, 'late');
  await h.clock.advance(USER_SECRET_RECHECK_MS);
  await eventually(async () => (conditionOf(await h.signer('nuget', 'feed'), 'Ready')?.status === 'True' ? true : undefined), 'Ready once the Secret exists');
});
