// SPDX-License-Identifier: MIT
// Certificate rotation against the real NuGet client: packages signed before and after a hot
// swap of the mounted certificate both restore in require mode trusting the two fingerprints the
// index lists; after the background job re-signed them, trusting only the new one is enough.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { packTestPackage, requireDotnet, restoreProject, runDotnet } from '../../signing/test/helpers/dotnet.js';
import { writeNuGetConfig } from '../../signing/test/helpers/nuget-config.js';
import { createSelfSigned, exportPfx } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { mountSecret } from '../../signer-service/test/integration/feed/mounted-secret.js';
import { createTlsMaterial, freePort, getJsonOverHttps, startSeededFeedProcess, waitForOutput, type FeedProcess } from '../helpers/feed-process.js';

const API_KEY = 'e2e-key';

test('rotation: old and new signatures restore trusting both fingerprints; re-signed packages need only the new one', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'feed-rotation');
  const tls = await createTlsMaterial(dir);
  const env = { SSL_CERT_FILE: tls.caBundlePath };
  const certA = await createSelfSigned(dir, { subject: 'Reposign Rotation A', keyBits: 2048 });
  const certB = await createSelfSigned(dir, { subject: 'Reposign Rotation B', keyBits: 2048 });
  const secret = await mountSecret(join(dir, 'secret'), 'signing.pfx', await exportPfx(certA, { password: 'pw', legacy: false, fileName: 'a.pfx' }));
  const pfxB = await exportPfx(certB, { password: 'pw', legacy: false, fileName: 'b.pfx' });
  const port = await freePort();
  const feedEnv = (extra: Record<string, string>): Record<string, string> => ({
    Urls: `https://localhost:${port}`,
    Tls__CertificatePath: tls.certPath,
    Tls__KeyPath: tls.keyPath,
    ApiKeys__0: API_KEY,
    Storage__Path: join(dir, 'data'),
    Signing__TimestampServerUrl: '',
    Signing__Mode: 'StoredCertificate',
    Signing__StoredCertificate__FilePath: secret.path,
    Signing__StoredCertificate__Password: 'pw',
    Signing__ReloadIntervalSeconds: '0.5',
    ...extra,
  });
  const before = await packTestPackage(dir, { id: 'Reposign.Rotation.Before', version: '1.0.0' });
  const after = await packTestPackage(dir, { id: 'Reposign.Rotation.After', version: '1.0.0' });
  const trusting = async (name: string, feed: FeedProcess, fingerprints: string[]): Promise<string> => {
    const configFile = join(dir, `${name}.nuget.config`);
    await writeNuGetConfig(configFile, {
      sources: [{ name: 'reposign', url: feed.serviceIndexUrl }],
      signatureValidationMode: 'require',
      trustedSigners: [{ kind: 'repository', name: 'reposign', serviceIndex: feed.serviceIndexUrl, fingerprints, allowUntrustedRoot: true }],
    });
    return configFile;
  };
  const restore = (configFile: string, id: string) => restoreProject('dotnet', { dir, configFile, packageRef: { id, version: '1.0.0' }, env });

  const feed = await startSeededFeedProcess(feedEnv({}), dir);
  t.after(() => feed.stop());
  assert.equal(feed.fingerprint, certA.fingerprintSha256);
  const pushed = await runDotnet('dotnet', ['nuget', 'push', before, '--source', feed.serviceIndexUrl, '--api-key', API_KEY], { env });
  assert.equal(pushed.code, 0, pushed.output);
  await secret.update(pfxB);
  await waitForOutput(feed, /signing certificate reloaded/, 30_000);
  const pushedAfter = await runDotnet('dotnet', ['nuget', 'push', after, '--source', feed.serviceIndexUrl, '--api-key', API_KEY], { env });
  assert.equal(pushedAfter.code, 0, pushedAfter.output);

  const index = (await getJsonOverHttps(`https://localhost:${port}/v3/repository-signatures/index.json`, tls.caBundlePath)) as {
    allRepositorySigned: boolean;
    signingCertificates: { fingerprints: Record<string, string> }[];
  };
  const listed = index.signingCertificates.map((c) => c.fingerprints['2.16.840.1.101.3.4.2.1']?.toUpperCase());
  assert.deepEqual(listed, [certA.fingerprintSha256, certB.fingerprintSha256]);
  assert.equal(index.allRepositorySigned, true);

  const both = await trusting('both', feed, listed.filter((f): f is string => f !== undefined));
  for (const id of ['Reposign.Rotation.Before', 'Reposign.Rotation.After']) {
    const restored = await restore(both, id);
    assert.equal(restored.code, 0, restored.output);
  }
  const onlyNew = await trusting('only-new', feed, [certB.fingerprintSha256]);
  const refused = await restore(onlyNew, 'Reposign.Rotation.Before');
  assert.notEqual(refused.code, 0, 'before the rotation job, the old signature needs the old fingerprint');
  assert.match(refused.output, /NU3034/);
  assert.equal(await feed.stop(), 0);

  const rotating = await startSeededFeedProcess(feedEnv({ Signing__Rotation__Enabled: 'true', Signing__Rotation__PackagesPerMinute: '6000' }), dir);
  t.after(() => rotating.stop());
  assert.equal(rotating.fingerprint, certB.fingerprintSha256);
  await waitForOutput(rotating, /"remaining":0,"msg":"rotation: package re-signed/, 60_000);
  const resigned = await restore(onlyNew, 'Reposign.Rotation.Before');
  assert.equal(resigned.code, 0, resigned.output);
});
