// SPDX-License-Identifier: MIT
// End to end without a cluster: the operator provisions a SelfSigned certificate against the fake
// API server; the signing configuration Secret it writes is materialised as files the way the
// kubelet mounts a Secret; a real signer-service process signs with it; `kubectl annotate` rotates
// it, the mounted files swap (..data), the feed hot-reloads, and a require-mode `dotnet restore`
// trusting the published fingerprints installs packages signed before and after the rotation.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SecretObject } from '../../operator/src/kube/kube-object.js';
import { SECRETS } from '../../operator/src/kube/resources.js';
import { packTestPackage, requireDotnet, restoreProject, runDotnet } from '../../signing/test/helpers/dotnet.js';
import { writeNuGetConfig } from '../../signing/test/helpers/nuget-config.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { createTlsMaterial, freePort, getJsonOverHttps, startSeededFeedProcess, waitForOutput } from '../helpers/feed-process.js';
import { mountSecretVolume, secretData } from '../helpers/kubelet-secret-volume.js';
import { conditionOf, eventually, selfSignedManifest, startOperatorHarness, type OperatorHarness } from '../operator/operator-harness.js';

const API_KEY = 'e2e-key';
const SHA256 = '2.16.840.1.101.3.4.2.1';

async function readyAt(h: OperatorHarness, revision: number): Promise<string> {
  const signer = await eventually(async () => {
    const current = await h.signer('nuget', 'feed');
    return conditionOf(current, 'Ready')?.status === 'True' && current?.status?.revision === revision ? current : undefined;
  }, `Ready at revision ${revision}`);
  return signer.status?.fingerprint ?? '';
}

async function configSecret(h: OperatorHarness, fingerprint: string): Promise<SecretObject> {
  return eventually(async () => {
    const secret = await h.client.get<SecretObject>(SECRETS, 'nuget', 'feed-signer-config');
    return secret?.metadata?.annotations?.['reposign.dev/certificate-fingerprint'] === fingerprint ? secret : undefined;
  }, `the signer configuration for ${fingerprint.slice(0, 12)}`);
}

test('operator-provisioned signing: the feed signs with what the operator wrote, hot-reloads a rotation, and dotnet restores both', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'operator-feed');
  const mountPath = join(dir, 'etc-reposign-signing');
  const h = await startOperatorHarness(t);
  h.startOperator();
  const applied = await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed', { signerService: { mountPath } }));
  assert.equal(applied.code, 0, applied.stderr);
  const first = await readyAt(h, 1);
  const volume = await mountSecretVolume(mountPath, secretData(await configSecret(h, first)));

  const tls = await createTlsMaterial(dir);
  const env = { SSL_CERT_FILE: tls.caBundlePath };
  const port = await freePort();
  const feed = await startSeededFeedProcess(
    {
      REPOSIGN_CONFIG: join(mountPath, 'reposign.json'),
      Urls: `https://localhost:${port}`,
      Tls__CertificatePath: tls.certPath,
      Tls__KeyPath: tls.keyPath,
      ApiKeys__0: API_KEY,
      Storage__Path: join(dir, 'data'),
      Signing__TimestampServerUrl: '',
      Signing__ReloadIntervalSeconds: '0.5',
    },
    dir,
  );
  t.after(() => feed.stop());
  assert.equal(feed.fingerprint, first.toUpperCase(), 'the feed signs with the certificate the operator issued; it generated none itself');

  const trusting = async (name: string, fingerprints: readonly string[]): Promise<string> => {
    const configFile = join(dir, `${name}.nuget.config`);
    await writeNuGetConfig(configFile, {
      sources: [{ name: 'reposign', url: feed.serviceIndexUrl }],
      signatureValidationMode: 'require',
      trustedSigners: [{ kind: 'repository', name: 'reposign', serviceIndex: feed.serviceIndexUrl, fingerprints: fingerprints.map((f) => f.toUpperCase()), allowUntrustedRoot: true }],
    });
    return configFile;
  };
  const push = async (id: string): Promise<void> => {
    const nupkg = await packTestPackage(dir, { id, version: '1.0.0' });
    const pushed = await runDotnet('dotnet', ['nuget', 'push', nupkg, '--source', feed.serviceIndexUrl, '--api-key', API_KEY], { env });
    assert.equal(pushed.code, 0, pushed.output);
  };
  const restore = (configFile: string, id: string) => restoreProject('dotnet', { dir, configFile, packageRef: { id, version: '1.0.0' }, env });

  await push('Reposign.Operated.Before');
  const beforeRotation = await restore(await trusting('first', [first]), 'Reposign.Operated.Before');
  assert.equal(beforeRotation.code, 0, beforeRotation.output);

  assert.equal((await h.kubectl.run(['annotate', '-n', 'nuget', 'rsig/feed', 'reposign.dev/rotate=e2e'])).code, 0);
  const second = await readyAt(h, 2);
  assert.notEqual(second, first);
  await volume.update(secretData(await configSecret(h, second)));
  await waitForOutput(feed, /signing certificate reloaded/, 60_000);
  await push('Reposign.Operated.After');

  const index = (await getJsonOverHttps(`https://localhost:${port}/v3/repository-signatures/index.json`, tls.caBundlePath)) as {
    signingCertificates: { fingerprints: Record<string, string> }[];
  };
  assert.deepEqual(
    index.signingCertificates.map((c) => c.fingerprints[SHA256]),
    [first, second],
    'the feed lists both published certificates',
  );
  const both = await trusting('both', [first, second]);
  for (const id of ['Reposign.Operated.Before', 'Reposign.Operated.After']) {
    const restored = await restore(both, id);
    assert.equal(restored.code, 0, restored.output);
  }
  assert.equal(await feed.stop(), 0);

  // A replica that never signed with the first certificate lists it too: from the published file.
  const freshPort = await freePort();
  const fresh = await startSeededFeedProcess(
    {
      REPOSIGN_CONFIG: join(mountPath, 'reposign.json'),
      Urls: `https://localhost:${freshPort}`,
      Tls__CertificatePath: tls.certPath,
      Tls__KeyPath: tls.keyPath,
      Storage__Path: join(dir, 'fresh-data'),
      Signing__TimestampServerUrl: '',
    },
    dir,
  );
  t.after(() => fresh.stop());
  const freshIndex = (await getJsonOverHttps(`https://localhost:${freshPort}/v3/repository-signatures/index.json`, tls.caBundlePath)) as typeof index;
  assert.deepEqual(new Set(freshIndex.signingCertificates.map((c) => c.fingerprints[SHA256])), new Set([first, second]));
  assert.equal(await fresh.stop(), 0);
});
