// SPDX-License-Identifier: MIT
// End to end for a remote-key mode without a cluster: the operator reconciles an AwsKms
// RepositorySigner against the loopback KMS (the unmodified AWS SDK over http) with the key's
// CA-issued certificate in a user Secret; the signing configuration Secret it writes (provider
// block and credentials, no key) is mounted the way the kubelet mounts it; a real signer-service
// process signs a pushed package through KMS with it, and `dotnet nuget verify --all` accepts the
// package it serves.

import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';

import type { SecretObject } from '../../operator/src/kube/kube-object.js';
import { SECRETS } from '../../operator/src/kube/resources.js';
import { prepareTrustingSdk, requireDotnet, verifyPackages } from '../../signing/test/helpers/dotnet.js';
import { createRootCa, issueCertificate } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { FEED_API_KEY, packagesToSign, pushPackage } from '../helpers/cloud-key-harness.js';
import { createTlsMaterial, freePort, startSeededFeedProcess } from '../helpers/feed-process.js';
import { mountSecretVolume, secretData } from '../helpers/kubelet-secret-volume.js';
import { startAwsKmsServer } from '../kms/aws-kms-server.js';
import { conditionOf, eventually, startOperatorHarness } from '../operator/operator-harness.js';

/** GETs `url` over https trusting the CA at `caPath`; the body's bytes. */
async function download(url: string, caPath: string): Promise<Buffer> {
  const ca = await readFile(caPath, 'utf8');
  return new Promise((resolve, reject) => {
    request(url, { ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${url}: ${response.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

test('AwsKms through the operator: the feed signs with the configuration Secret the operator wrote, and dotnet verifies the package', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'operator-remote-feed');
  const ca = await createRootCa(dir, { name: 'reposign operator e2e KMS CA', keyBits: 2048 });
  const leaf = await issueCertificate(ca, { subject: 'reposign operator e2e KMS signer', eku: 'codeSigning', keyBits: 2048 });
  const kms = await startAwsKmsServer();
  t.after(() => kms.close());
  kms.addKey('RSA_2048', 'alias/operated', createPrivateKey(await readFile(leaf.keyPath)));
  const sdk = await prepareTrustingSdk({ codeSigningRoots: [ca.certPem], timestampingRoots: [] });
  t.after(() => sdk.dispose());

  const mountPath = join(dir, 'etc-reposign-signing');
  const h = await startOperatorHarness(t);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kms', namespace: 'nuget' }, stringData: { 'secret-access-key': kms.secretAccessKey, 'chain.pem': `${leaf.certPem}${ca.certPem}` } };
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], JSON.stringify(secret))).code, 0);
  h.startOperator();
  const signer = {
    apiVersion: 'reposign.dev/v1alpha1',
    kind: 'RepositorySigner',
    metadata: { name: 'feed', namespace: 'nuget' },
    spec: {
      mode: 'AwsKms',
      awsKms: {
        region: kms.region,
        keyId: 'alias/operated',
        endpoint: kms.url,
        accessKeyId: kms.accessKeyId,
        secretAccessKeySecretRef: { name: 'kms', key: 'secret-access-key' },
        certificateSecretRef: { name: 'kms', key: 'chain.pem' },
      },
      signerService: { mountPath },
    },
  };
  const applied = await h.kubectl.run(['apply', '-f', '-'], JSON.stringify(signer));
  assert.equal(applied.code, 0, applied.stderr);
  const waited = await h.kubectl.run(['wait', '--for=condition=Ready', '--timeout=90s', '-n', 'nuget', 'rsig/feed']);
  assert.equal(waited.code, 0, waited.stderr);
  const fingerprint = (await h.signer('nuget', 'feed'))?.status?.fingerprint ?? '';
  assert.equal(conditionOf(await h.signer('nuget', 'feed'), 'ProviderReady')?.status, 'True');
  const config = await eventually(async () => {
    const found = await h.client.get<SecretObject>(SECRETS, 'nuget', 'feed-signer-config');
    return found?.metadata?.annotations?.['reposign.dev/certificate-fingerprint'] === fingerprint ? found : undefined;
  }, 'the signer configuration');
  const files = secretData(config);
  for (const [key, bytes] of Object.entries(files)) assert.doesNotMatch(Buffer.from(bytes).toString('utf8'), /PRIVATE KEY/, `${key} holds no private key`);
  await mountSecretVolume(mountPath, files);

  const tls = await createTlsMaterial(dir);
  const port = await freePort();
  const feed = await startSeededFeedProcess(
    {
      REPOSIGN_CONFIG: join(mountPath, 'reposign.json'),
      Urls: `https://localhost:${port}`,
      Tls__CertificatePath: tls.certPath,
      Tls__KeyPath: tls.keyPath,
      ApiKeys__0: FEED_API_KEY,
      Storage__Path: join(dir, 'data'),
      Signing__TimestampServerUrl: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    dir,
    // The feed compiles from source at start; on a loaded machine that takes longer than the default minute.
    180_000,
  );
  t.after(() => feed.stop());
  assert.equal(feed.fingerprint, fingerprint.toUpperCase(), 'the feed signs with the certificate the operator published');

  const signsBefore = kms.calls.filter((call) => call === 'TrentService.Sign').length;
  const { unsigned } = await packagesToSign(dir, 'Reposign.Operated.Kms');
  const pushed = await pushPackage(feed, unsigned, tls.caBundlePath);
  assert.equal(pushed.status, 201, pushed.body);
  assert.equal(kms.calls.filter((call) => call === 'TrentService.Sign').length, signsBefore + 1, 'the feed signed through KMS');
  // Apart from the unsigned original: dotnet nuget verify matches file names without regard to case.
  const servedDir = join(dir, 'served');
  await mkdir(servedDir);
  const signed = join(servedDir, 'reposign.operated.kms.1.0.0.nupkg');
  await writeFile(signed, await download(new URL('/v3/flatcontainer/reposign.operated.kms/1.0.0/reposign.operated.kms.1.0.0.nupkg', feed.serviceIndexUrl).toString(), tls.caBundlePath));
  const verified = await verifyPackages(sdk.dotnet, [signed]);
  assert.equal(verified.code, 0, verified.output);
  assert.match(verified.output, /reposign operator e2e KMS signer/);
  assert.equal(await feed.stop(), 0);
});
