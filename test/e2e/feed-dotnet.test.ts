// SPDX-License-Identifier: MIT
// The feed's production build against the real NuGet client over https: push, require-mode restore
// with the startup snippet, a wrong fingerprint, `dotnet add package`, `dotnet package search`,
// `dotnet nuget trust source`.

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packTestPackage, requireDotnet, restoreProject, runDotnet } from '../../signing/test/helpers/dotnet.js';
import { writeNuGetConfig } from '../../signing/test/helpers/nuget-config.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { createTlsMaterial, freePort, startSeededFeedProcess } from '../helpers/feed-process.js';

const API_KEY = 'e2e-key';

test('dotnet push, require-mode restore over https, add package, search and trust source', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'feed-e2e');
  const tls = await createTlsMaterial(dir);
  const port = await freePort();
  const feed = await startSeededFeedProcess(
    {
      Urls: `https://localhost:${port}`,
      Tls__CertificatePath: tls.certPath,
      Tls__KeyPath: tls.keyPath,
      ApiKeys__0: API_KEY,
      Storage__Path: 'data',
      Signing__TimestampServerUrl: '',
      Signing__SelfSigned__KeySize: '2048',
    },
    dir,
  );
  t.after(() => feed.stop());
  assert.equal(feed.serviceIndexUrl, `https://localhost:${port}/v3/index.json`);
  // The https transport trusts the test CA only through the environment (OpenSSL's SSL_CERT_FILE).
  const env = { SSL_CERT_FILE: tls.caBundlePath };
  const id = 'Reposign.E2E.Lib';

  await t.test('dotnet nuget push of a packed package', async () => {
    const nupkg = await packTestPackage(dir, { id, version: '1.0.0' });
    const pushed = await runDotnet('dotnet', ['nuget', 'push', nupkg, '--source', feed.serviceIndexUrl, '--api-key', API_KEY], { env });
    assert.equal(pushed.code, 0, pushed.output);
    const again = await runDotnet('dotnet', ['nuget', 'push', nupkg, '--source', feed.serviceIndexUrl, '--api-key', API_KEY], { env });
    assert.notEqual(again.code, 0);
    assert.match(again.output, /409|already exists/i);
  });

  await t.test('the nuget.config printed at startup restores in require mode', async () => {
    const configFile = join(dir, 'snippet.nuget.config');
    await writeFile(configFile, feed.snippet());
    const restored = await restoreProject('dotnet', { dir, configFile, packageRef: { id, version: '1.0.0' }, env });
    assert.equal(restored.code, 0, restored.output);
    assert.ok((await readFile(join(restored.packagesFolder, id.toLowerCase(), '1.0.0', `${id.toLowerCase()}.1.0.0.nupkg`))).length > 0);
  });

  await t.test('a wrong fingerprint fails the restore', async () => {
    const configFile = join(dir, 'wrong.nuget.config');
    await writeNuGetConfig(configFile, {
      sources: [{ name: 'reposign', url: feed.serviceIndexUrl }],
      signatureValidationMode: 'require',
      trustedSigners: [{ kind: 'repository', name: 'reposign', serviceIndex: feed.serviceIndexUrl, fingerprints: ['AB'.repeat(32)], allowUntrustedRoot: true }],
    });
    const restored = await restoreProject('dotnet', { dir, configFile, packageRef: { id, version: '1.0.0' }, env });
    assert.notEqual(restored.code, 0, restored.output);
    assert.match(restored.output, /NU3034/);
  });

  await t.test('dotnet add package and dotnet package search', async () => {
    const project = join(dir, 'adder');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, 'nuget.config'), feed.snippet());
    await writeFile(
      join(project, 'Adder.csproj'),
      '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework><NuGetAudit>false</NuGetAudit></PropertyGroup></Project>\n',
    );
    const added = await runDotnet('dotnet', ['add', 'Adder.csproj', 'package', id], { cwd: project, env: { ...env, NUGET_PACKAGES: join(project, 'packages') } });
    assert.equal(added.code, 0, added.output);
    assert.match(await readFile(join(project, 'Adder.csproj'), 'utf8'), /PackageReference Include="Reposign.E2E.Lib" Version="1.0.0"/);

    const searched = await runDotnet('dotnet', ['package', 'search', 'e2e', '--source', feed.serviceIndexUrl, '--format', 'json'], { env });
    assert.equal(searched.code, 0, searched.output);
    assert.match(searched.stdout, /"id": "Reposign.E2E.Lib"/);
  });

  await t.test('dotnet nuget trust source reads the repository-signatures index', async () => {
    const configFile = join(dir, 'trust.nuget.config');
    await writeNuGetConfig(configFile, { sources: [{ name: 'reposign', url: feed.serviceIndexUrl }] });
    const trusted = await runDotnet('dotnet', ['nuget', 'trust', 'source', 'reposign', '--configfile', configFile], { env });
    assert.equal(trusted.code, 0, trusted.output);
    const written = await readFile(configFile, 'utf8');
    // What the client writes: our fingerprint in lowercase (as the index lists it) and
    // allowUntrustedRoot="false" (NuGet/Home#10733), which a self-signed certificate cannot pass.
    assert.match(written, new RegExp(`<repository name="reposign" serviceIndex="${feed.serviceIndexUrl.replace(/[.]/g, '\\.')}">`));
    assert.match(written, new RegExp(`fingerprint="${feed.fingerprint.toLowerCase()}" hashAlgorithm="SHA256" allowUntrustedRoot="false"`));
    const text = written.replace('<configuration>', '<configuration><config><add key="signatureValidationMode" value="require" /></config>');
    await writeFile(configFile, text);
    const untrusted = await restoreProject('dotnet', { dir, configFile, packageRef: { id, version: '1.0.0' }, env });
    assert.notEqual(untrusted.code, 0, untrusted.output);
    assert.match(untrusted.output, /NU3018/);
  });
});
