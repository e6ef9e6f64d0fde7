// SPDX-License-Identifier: MIT
// signerService.management Patch: the operator sets only the pod-template annotation with the
// config hash on the signer-service Deployment, under its own field manager, and changes it on a
// rotation; every other field stays as its owner (here kubectl) wrote it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionOf, eventually, selfSignedManifest, startOperatorHarness, type OperatorHarness } from './operator-harness.js';

const DEPLOYMENT = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'feed', namespace: 'nuget', labels: { app: 'feed' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'feed' } },
    template: {
      metadata: { labels: { app: 'feed' }, annotations: { 'team.example/owner': 'platform' } },
      spec: { containers: [{ name: 'feed', image: 'registry.example/reposign/signer-service:1.0.0' }] },
    },
  },
});

async function annotation(h: OperatorHarness): Promise<string> {
  const result = await h.kubectl.run(['get', 'deployment', 'feed', '-n', 'nuget', '-o', 'jsonpath={.spec.template.metadata.annotations.reposign\\.dev/signing-config-hash}']);
  return result.stdout;
}

test('Patch management annotates the Deployment pod template with the config hash, and nothing else', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], DEPLOYMENT)).code, 0);
  h.startOperator();
  const manifest = selfSignedManifest('feed', { signerService: { management: 'Patch', deploymentName: 'feed' } });
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], manifest)).code, 0);
  await eventually(async () => (conditionOf(await h.signer('nuget', 'feed'), 'Ready')?.status === 'True' ? true : undefined), 'Ready');
  const first = await eventually(async () => ((await annotation(h)) === '' ? undefined : annotation(h)), 'the annotation');
  assert.match(first, /^sha256:[0-9a-f]{64}$/);

  const deployment = JSON.parse((await h.kubectl.run(['get', 'deployment', 'feed', '-n', 'nuget', '-o', 'json', '--show-managed-fields'])).stdout) as {
    spec: { replicas: number; template: { metadata: { annotations: Record<string, string> }; spec: { containers: { image: string }[] } } };
    metadata: { managedFields: { manager: string; operation: string; fieldsV1: unknown }[] };
  };
  assert.equal(deployment.spec.replicas, 2);
  assert.equal(deployment.spec.template.metadata.annotations['team.example/owner'], 'platform');
  assert.equal(deployment.spec.template.spec.containers[0]?.image, 'registry.example/reposign/signer-service:1.0.0');
  const mine = deployment.metadata.managedFields.filter((entry) => entry.manager === 'reposign-operator');
  assert.equal(mine.length, 1);
  assert.equal(mine[0]?.operation, 'Apply');
  assert.deepEqual(mine[0]?.fieldsV1, { 'f:spec': { 'f:template': { 'f:metadata': { 'f:annotations': { 'f:reposign.dev/signing-config-hash': {} } } } } });

  assert.equal((await h.kubectl.run(['annotate', '-n', 'nuget', 'rsig/feed', 'reposign.dev/rotate=patched'])).code, 0);
  const second = await eventually(async () => {
    const value = await annotation(h);
    return value !== first && value !== '' ? value : undefined;
  }, 'a new config hash after the rotation');
  assert.notEqual(second, first);
  const reapplied = await h.kubectl.run(['apply', '-f', '-'], DEPLOYMENT);
  assert.equal(reapplied.code, 0, reapplied.stderr);
  assert.equal(await annotation(h), second, "kubectl's own apply does not remove the operator's annotation");
});

test('Reference management (the default) never touches the Deployment', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], DEPLOYMENT)).code, 0);
  h.startOperator();
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'))).code, 0);
  await eventually(async () => (conditionOf(await h.signer('nuget', 'feed'), 'Ready')?.status === 'True' ? true : undefined), 'Ready');
  assert.deepEqual(h.server.requests.writes('deployments').filter((entry) => entry.fieldManager === 'reposign-operator'), []);
  assert.equal(await annotation(h), '');
});
