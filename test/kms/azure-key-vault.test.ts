// SPDX-License-Identifier: MIT
// AzureKeyVault mode through the unmodified Azure SDKs against the loopback vault: the CLI signs a
// package and countersigns a nuget.org package that dotnet verifies; the feed signs pushes that
// restore in require mode, answers 503 with Retry-After while the vault is away and recovers; and
// every unusable key or credential is refused with its own error.

import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { prepareTrustingSdk, requireDotnet, restoreProject, verifyPackages } from '../../signing/test/helpers/dotnet.js';
import { createRootCa, issueCertificate, type TestCertificate } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { packagesToSign, pushPackage, runReposign, startKeyFeed } from '../helpers/cloud-key-harness.js';
import { createTlsMaterial } from '../helpers/feed-process.js';
import { startTestKeyVault } from './azure-key-vault-server.js';

async function vaultEntry(certificate: TestCertificate) {
  return { certificate: new X509Certificate(certificate.certPem).raw, key: createPrivateKey(await readFile(certificate.keyPath)) };
}

test('AzureKeyVault: CLI and feed sign through the loopback vault; failures are named', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'azure-key-vault');
  const tls = await createTlsMaterial(dir);
  const vault = await startTestKeyVault(tls);
  t.after(() => vault.close());
  const ca = await createRootCa(dir, { name: 'reposign Key Vault test CA', keyBits: 2048 });
  const chainPath = join(dir, 'issuers.pem');
  await writeFile(chainPath, ca.certPem);
  const leaf = await issueCertificate(ca, { subject: 'reposign Key Vault signer', eku: 'codeSigning', keyBits: 2048 });
  vault.addCertificate('signer', await vaultEntry(leaf));
  vault.addCertificate('ec-signer', await vaultEntry(await issueCertificate(ca, { subject: 'reposign EC signer', eku: 'codeSigning', keyType: 'ec' })));
  vault.addCertificate('small-signer', await vaultEntry(await issueCertificate(ca, { subject: 'reposign 1024 signer', eku: 'codeSigning', keyBits: 1024 })));
  vault.addCertificate('mismatched', { certificate: new X509Certificate(leaf.certPem).raw, key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });
  const sdk = await prepareTrustingSdk({ codeSigningRoots: [ca.certPem], timestampingRoots: [] });
  t.after(() => sdk.dispose());

  const env = { NODE_EXTRA_CA_CERTS: tls.caBundlePath, AZURE_CLIENT_SECRET_FOR_TEST: vault.clientSecret };
  const cli = (certificate: string, extra: readonly string[] = []) => [
    '--provider', 'AzureKeyVault',
    '--azure-key-vault-url', `${vault.url}/`,
    '--azure-key-vault-certificate', certificate,
    '--azure-authentication-mode', 'ClientSecret',
    '--azure-tenant-id', vault.tenantId,
    '--azure-client-id', vault.clientId,
    '--azure-client-secret-variable', 'AZURE_CLIENT_SECRET_FOR_TEST',
    '--azure-authority-host', vault.url,
    '--azure-disable-challenge-resource-verification', 'true',
    '--azure-key-vault-chain', chainPath,
    '--v3-service-index-url', 'https://feed.example/v3/index.json',
    ...extra,
  ];

  await t.test('reposign sign: a primary signature and a countersignature that dotnet nuget verify --all accepts', async () => {
    const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.KeyVault.Cli');
    const out = join(dir, 'signed');
    const signed = await runReposign(['sign', unsigned, nugetOrg, '--output', out, ...cli('signer')], env);
    assert.equal(signed.code, 0, signed.output);
    const signs = vault.calls.filter((call) => call.endsWith('/sign'));
    assert.equal(signs.length, 2, 'one Key Vault sign call per package');
    const verified = await verifyPackages(sdk.dotnet, [join(out, 'Reposign.KeyVault.Cli.1.0.0.nupkg'), join(out, 'newtonsoft.json.13.0.3.nupkg')]);
    assert.equal(verified.code, 0, verified.output);
    assert.match(verified.output, /reposign Key Vault signer/);
  });

  const failures: readonly [string, readonly string[], Readonly<Record<string, string>>, RegExp][] = [
    ['an EC key', cli('ec-signer'), env, /EC(-HSM)? key; NuGet signatures need an RSA key/],
    ['a key under 2048 bits', cli('small-signer'), env, /RSA key of 1024 bits; NuGet needs at least 2048/],
    ['a certificate that does not match its key', cli('mismatched'), env, /does not belong to the Key Vault key .*public keys differ/],
    ['a missing certificate', cli('absent'), env, /does not exist/],
    ['a wrong client secret', cli('signer'), { ...env, AZURE_CLIENT_SECRET_FOR_TEST: 'wrong' }, /credentials were refused.*AADSTS7000215/],
  ];
  for (const [what, args, failureEnv, message] of failures) {
    await t.test(`reposign sign refuses ${what}`, async () => {
      const { unsigned } = await packagesToSign(dir, 'Reposign.KeyVault.Refused');
      const result = await runReposign(['sign', unsigned, '--overwrite', ...args], failureEnv);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, message);
    });
  }

  await t.test('the feed: pushes restore in require mode, 503 with Retry-After while the vault is away, then recovery', async () => {
    const feed = await startKeyFeed(dir, tls, {
      Signing__Mode: 'AzureKeyVault',
      Signing__AzureKeyVault__VaultUri: vault.url,
      Signing__AzureKeyVault__CertificateName: 'signer',
      Signing__AzureKeyVault__AuthenticationMode: 'ClientSecret',
      Signing__AzureKeyVault__TenantId: vault.tenantId,
      Signing__AzureKeyVault__ClientId: vault.clientId,
      Signing__AzureKeyVault__ClientSecretConfigurationKey: 'Secrets:KeyVault',
      Secrets__KeyVault: vault.clientSecret,
      Signing__AzureKeyVault__AuthorityHost: vault.url,
      Signing__AzureKeyVault__DisableChallengeResourceVerification: 'true',
      Signing__AzureKeyVault__CertificateChainPath: chainPath,
    });
    t.after(() => feed.stop());
    const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.KeyVault.Feed');
    for (const nupkg of [unsigned, nugetOrg]) {
      const pushed = await pushPackage(feed, nupkg, tls.caBundlePath);
      assert.equal(pushed.status, 201, pushed.body);
    }
    const configFile = join(dir, 'feed.nuget.config');
    await writeFile(configFile, feed.snippet().replace('</trustedSigners>', `<author name="nuget.org-author"><certificate fingerprint="${'0'.repeat(64)}" hashAlgorithm="SHA256" allowUntrustedRoot="false" /></author></trustedSigners>`));
    const restored = await restoreProject(sdk.dotnet, { dir, configFile, packageRef: { id: 'Reposign.KeyVault.Feed', version: '1.0.0' }, env: { SSL_CERT_FILE: tls.caBundlePath } });
    assert.equal(restored.code, 0, restored.output);

    for (const failure of ['throttled', 'unavailable', 'unreachable'] as const) {
      vault.fail(failure);
      const { unsigned: refused } = await packagesToSign(dir, `Reposign.KeyVault.${failure}`);
      const pushed = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(pushed.status, 503, pushed.body);
      assert.ok(pushed.retryAfter !== undefined && Number(pushed.retryAfter) > 0, 'Retry-After is set');
      assert.match(pushed.body, /Azure Key Vault is unavailable/);
      vault.fail(undefined);
      const again = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(again.status, 201, again.body);
    }
  });
});
