// SPDX-License-Identifier: MIT
// A SelfSigned RepositorySigner from `kubectl apply` to Ready, as kubectl shows it: the key Secret,
// the published records and the signer-service configuration appear, printer columns fill in, and
// the operator writes nothing more once it is done.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCertificate, openPfxKey } from '@reposign/signing';
import type { ConfigMapObject, SecretObject } from '../../operator/src/kube/kube-object.js';
import { CONFIG_MAPS, SECRETS } from '../../operator/src/kube/resources.js';
import { readRecords } from '../../operator/src/objects/records-config-map.js';
import { conditionOf, selfSignedManifest, settledWrites, startOperatorHarness } from './operator-harness.js';

test('kubectl apply a SelfSigned RepositorySigner: Ready, published, configured, and quiet afterwards', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  h.startOperator();
  const applied = await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'));
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout.trim(), 'repositorysigner.reposign.dev/feed created');

  const waited = await h.kubectl.run(['wait', '--for=condition=Ready', '--timeout=60s', '-n', 'nuget', 'rsig/feed']);
  assert.equal(waited.code, 0, waited.stderr);
  assert.equal(waited.stdout.trim(), 'repositorysigner.reposign.dev/feed condition met');

  const signer = await h.signer('nuget', 'feed');
  assert.ok(signer?.status?.fingerprint);
  const fingerprint = signer.status.fingerprint;
  assert.equal(signer.status.revision, 1);
  assert.equal(signer.status.observedGeneration, signer.metadata.generation);
  for (const type of ['Ready', 'ProviderReady', 'Published', 'SignerServiceSynced']) assert.equal(conditionOf(signer, type)?.status, 'True', type);
  assert.equal(conditionOf(signer, 'Issuing')?.status, 'False');

  const key = await h.client.get<SecretObject>(SECRETS, 'nuget', 'feed-signing');
  assert.equal(key?.type, 'kubernetes.io/tls');
  assert.ok(key.data?.['tls.crt'] && key.data['tls.key'] && key.data['keystore.pfx'] && key.data['keystore-password']);
  const keystore = await openPfxKey({ pfx: Buffer.from(key.data['keystore.pfx'], 'base64'), password: Buffer.from(key.data['keystore-password'], 'base64').toString() });
  assert.equal(describeCertificate(keystore.certificateChain()[0] ?? new Uint8Array()).fingerprintSha256, fingerprint, 'the PFX holds the same certificate');
  await keystore.close();
  const records = readRecords(await h.client.get<ConfigMapObject>(CONFIG_MAPS, 'nuget', 'feed-certificates'));
  assert.deepEqual(records.map((r) => r.fingerprintSha256), [fingerprint]);
  const config = await h.client.get<SecretObject>(SECRETS, 'nuget', 'feed-signer-config');
  assert.ok(config?.data?.['reposign.json'] && config.data['published.pem'] && config.data['tls.key']);
  const file = JSON.parse(Buffer.from(config.data['reposign.json'], 'base64').toString()) as { Signing: Record<string, unknown> };
  assert.equal(file.Signing['Mode'], 'StoredCertificate');

  const listed = await h.kubectl.run(['get', 'rsig', '-n', 'nuget']);
  assert.equal(listed.code, 0, listed.stderr);
  const [header, row] = listed.stdout.trim().split('\n');
  assert.match(header ?? '', /^NAME\s+READY\s+MODE\s+FINGERPRINT\s+NOT AFTER\s+AGE$/);
  assert.match(row ?? '', new RegExp(`^feed\\s+True\\s+SelfSigned\\s+${fingerprint.slice(0, 12)}\\s+\\S+\\s+\\S+$`));

  // GitOps sees no drift: the operator wrote nothing into spec, so re-applying the manifest changes nothing.
  const reapplied = await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'));
  assert.equal(reapplied.stdout.trim(), 'repositorysigner.reposign.dev/feed unchanged');
  const diff = await h.kubectl.run(['diff', '-f', '-'], selfSignedManifest('feed'));
  assert.equal(diff.code, 0, `kubectl diff found drift:\n${diff.stdout}${diff.stderr}`);

  // Done means done: no further writes while nothing changes (the loop check of cert-manager #8380).
  const before = await settledWrites(h);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.deepEqual(h.server.requests.writes().slice(before), [], 'no writes once Ready');
});
