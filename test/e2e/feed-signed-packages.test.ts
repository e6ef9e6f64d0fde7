// SPDX-License-Identifier: MIT
// Author-signed packages (our own test author, and a real nuget.org package that also carries
// nuget.org's repository countersignature) pushed under ReSign and under Reject.

import assert from 'node:assert/strict';
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectPackage } from '@reposign/signing';
import { authorSign, packTestPackage, prepareTrustingSdk, requireDotnet, restoreProject, runDotnet } from '../../signing/test/helpers/dotnet.js';
import { writeNuGetConfig } from '../../signing/test/helpers/nuget-config.js';
import { NUGET_ORG_PACKAGES_DIR } from '../../signing/test/helpers/nuget-fixtures.js';
import { createRootCa, exportPfx, issueCertificate } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { createTlsMaterial, freePort, startSeededFeedProcess, type FeedProcess } from '../helpers/feed-process.js';

const API_KEY = 'e2e-key';
// A real nuget.org package with no dependencies for net10.0: author-signed, repository-countersigned.
const NUGET_ORG = { id: 'Newtonsoft.Json', version: '13.0.3' };

async function startFeed(dir: string, name: string, tlsCert: string, tlsKey: string, policy: 'ReSign' | 'Reject'): Promise<FeedProcess> {
  const port = await freePort();
  return startSeededFeedProcess(
    {
      Urls: `https://localhost:${port}`,
      Tls__CertificatePath: tlsCert,
      Tls__KeyPath: tlsKey,
      ApiKeys__0: API_KEY,
      Storage__Path: join(dir, name),
      Signing__TimestampServerUrl: '',
      Signing__SelfSigned__KeySize: '2048',
      Signing__PublishSignaturePolicy: policy,
    },
    dir,
  );
}

test('author-signed and nuget.org packages under ReSign restore in require mode; Reject refuses repository-signed ones', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'feed-signed');
  const tls = await createTlsMaterial(dir);
  const env = { SSL_CERT_FILE: tls.caBundlePath };
  const authorCa = await createRootCa(dir, { name: 'reposign e2e author CA', keyBits: 2048 });
  const author = await issueCertificate(authorCa, { subject: 'reposign e2e author', eku: 'codeSigning', keyBits: 2048 });
  const pfxPath = await exportPfx(author, { password: 'pw', legacy: false, includeChain: [authorCa] });
  const sdk = await prepareTrustingSdk({ codeSigningRoots: [authorCa.certPem], timestampingRoots: [] });
  t.after(() => sdk.dispose());

  const authored = await packTestPackage(dir, { id: 'Reposign.Authored', version: '1.0.0' });
  await authorSign(sdk.dotnet, authored, { pfxPath, password: 'pw' });
  const nugetOrg = join(dir, `${NUGET_ORG.id.toLowerCase()}.${NUGET_ORG.version}.nupkg`);
  await copyFile(join(NUGET_ORG_PACKAGES_DIR, NUGET_ORG.id.toLowerCase(), NUGET_ORG.version, `${NUGET_ORG.id.toLowerCase()}.${NUGET_ORG.version}.nupkg`), nugetOrg);
  const nugetOrgAuthor = (await inspectPackage(nugetOrg)).signatures.find((s) => s.placement === 'primary')?.certificate?.fingerprintSha256 ?? '';
  assert.equal((await inspectPackage(nugetOrg)).kind, 'author+repository');

  const push = (feed: FeedProcess, nupkg: string) =>
    runDotnet(sdk.dotnet, ['nuget', 'push', nupkg, '--source', feed.serviceIndexUrl, '--api-key', API_KEY], { env });

  await t.test('ReSign: both push, and restore in require mode trusting the authors and our repository', async (st) => {
    const feed = await startFeed(dir, 'resign', tls.certPath, tls.keyPath, 'ReSign');
    st.after(() => feed.stop());
    for (const nupkg of [authored, nugetOrg]) {
      const pushed = await push(feed, nupkg);
      assert.equal(pushed.code, 0, pushed.output);
    }
    const configFile = join(dir, 'resign.nuget.config');
    await writeNuGetConfig(configFile, {
      sources: [{ name: 'reposign', url: feed.serviceIndexUrl }],
      signatureValidationMode: 'require',
      trustedSigners: [
        { kind: 'author', name: 'test-author', fingerprints: [author.fingerprintSha256] },
        { kind: 'author', name: 'newtonsoft', fingerprints: [nugetOrgAuthor] },
        { kind: 'repository', name: 'reposign', serviceIndex: feed.serviceIndexUrl, fingerprints: [feed.fingerprint], allowUntrustedRoot: true },
      ],
    });
    for (const packageRef of [{ id: 'Reposign.Authored', version: '1.0.0' }, NUGET_ORG]) {
      const restored = await restoreProject(sdk.dotnet, { dir, configFile, packageRef, env });
      assert.equal(restored.code, 0, restored.output);
    }
    // The served nuget.org package keeps its author signature and carries our countersignature instead of nuget.org's.
    const storedDir = join(dir, 'resign', 'packages', 'newtonsoft.json', '13.0.3');
    const stored = (await readdir(storedDir, { recursive: true })).find((name) => name.endsWith('.nupkg')) ?? '';
    const inspection = await inspectPackage(join(storedDir, stored));
    assert.equal(inspection.kind, 'author+repository');
    assert.deepEqual(
      inspection.signatures.map((s) => [s.placement, s.type, s.certificate?.fingerprintSha256]),
      [
        ['primary', 'author', nugetOrgAuthor],
        ['countersignature', 'repository', feed.fingerprint.toLowerCase()],
      ],
    );
  });

  await t.test('Reject: an author-only package is accepted; a repository-countersigned one is refused and not stored', async (st) => {
    const feed = await startFeed(dir, 'reject', tls.certPath, tls.keyPath, 'Reject');
    st.after(() => feed.stop());
    const accepted = await push(feed, authored);
    assert.equal(accepted.code, 0, accepted.output);
    const refused = await push(feed, nugetOrg);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /400/);
    assert.match(refused.output, /already carries a repository signature/);
    assert.deepEqual(await readdir(join(dir, 'reject', 'packages')), ['reposign.authored']);
  });
});
