// SPDX-License-Identifier: MIT
// AzureKeyVault mode through the unmodified Azure SDKs against the loopback vault: the CLI signs a
// package and countersigns a nuget.org package that dotnet verifies; it signs with the Default
// (workload identity) and ManagedIdentity (IMDS, App Service) credentials against loopback token
// endpoints, in processes that cannot reach a non-loopback host; the feed signs pushes that restore
// in require mode, answers 503 with Retry-After while the vault throttles or is away, fails fast
// while its circuit is open and recovers; and every unusable key or credential is refused with its
// own error.

import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { prepareTrustingSdk, requireDotnet, restoreProject, verifyPackages } from '../../signing/test/helpers/dotnet.js';
import { createRootCa, issueCertificate, type TestCertificate } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { packagesToSign, pushPackage, runReposign, startKeyFeed } from '../helpers/cloud-key-harness.js';
import { createTlsMaterial } from '../helpers/feed-process.js';
import { appServiceEnvironment, GUARD_MARK, imdsEnvironment, LOOPBACK_ONLY_NODE_OPTIONS, workloadIdentityEnvironment } from './azure-identity-env.js';
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
  vault.addCertificate('disabled', await vaultEntry(leaf), { disabled: true });
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

  await t.test('the loopback guard of the credential tests refuses the real IMDS and Entra ID', async () => {
    const probe = "for (const url of ['http://169.254.169.254/metadata/identity/oauth2/token', 'https://login.microsoftonline.com/']) await fetch(url).then(() => console.log('reached', url), (error) => console.log('refused', url, error.cause?.message));";
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', probe], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NODE_OPTIONS: LOOPBACK_ONLY_NODE_OPTIONS }, timeout: 30_000 });
    assert.match(stdout, /refused http:\/\/169\.254\.169\.254\S* loopback guard: 169\.254\.169\.254 is not a loopback address/);
    assert.match(stdout, /refused https:\/\/login\.microsoftonline\.com\S* loopback guard/);
    assert.doesNotMatch(stdout, /reached/);
    assert.match(stderr, new RegExp(`${GUARD_MARK} 169\\.254\\.169\\.254:80`));
  });

  const tokenFile = join(dir, 'azure-identity-token');
  await writeFile(tokenFile, vault.federatedToken);
  const wrongTokenFile = join(dir, 'azure-identity-token-of-another-subject');
  await writeFile(wrongTokenFile, vault.federatedToken.replace(/\.[^.]+$/, '.c2lnbmF0dXJlLW9mLWFub3RoZXItdG9rZW4'));
  const identity = (mode: string, certificate = 'signer', extra: readonly string[] = []) => [
    '--provider', 'AzureKeyVault',
    '--azure-key-vault-url', vault.url,
    '--azure-key-vault-certificate', certificate,
    '--azure-authentication-mode', mode,
    '--azure-authority-host', vault.url,
    '--azure-disable-challenge-resource-verification', 'true',
    '--azure-key-vault-chain', chainPath,
    '--v3-service-index-url', 'https://feed.example/v3/index.json',
    ...extra,
  ];
  const credentialModes: readonly [string, readonly string[], Readonly<Record<string, string>>, string][] = [
    ['ManagedIdentity, system-assigned, over IMDS', identity('ManagedIdentity'), imdsEnvironment(vault), 'imds: system'],
    ['ManagedIdentity, user-assigned, over IMDS', identity('ManagedIdentity', 'signer', ['--azure-client-id', vault.managedIdentityClientId]), imdsEnvironment(vault), `imds: ${vault.managedIdentityClientId}`],
    ['ManagedIdentity over the App Service endpoint', identity('ManagedIdentity'), appServiceEnvironment(vault), 'app-service: system'],
    ['Default through workload identity', identity('Default'), workloadIdentityEnvironment(vault, tokenFile), `workload: ${vault.clientId}`],
  ];
  for (const [what, args, modeEnv, tokenRequest] of credentialModes) {
    await t.test(`reposign sign with ${what}: one token from the loopback endpoint, a package dotnet verifies`, async () => {
      const { unsigned } = await packagesToSign(dir, 'Reposign.KeyVault.Identity');
      const out = join(dir, `signed-${tokenRequest.replace(/\W+/g, '-')}`);
      const [tokensBefore, signsBefore] = [vault.tokenRequests.length, vault.calls.filter((call) => call.endsWith('/sign')).length];
      const signed = await runReposign(['sign', unsigned, '--output', out, ...args], { NODE_EXTRA_CA_CERTS: tls.caBundlePath, ...modeEnv });
      assert.equal(signed.code, 0, signed.output);
      assert.doesNotMatch(signed.output, new RegExp(GUARD_MARK));
      assert.deepEqual(vault.tokenRequests.slice(tokensBefore), [tokenRequest], 'exactly one token, from the expected loopback endpoint');
      assert.equal(vault.calls.filter((call) => call.endsWith('/sign')).length - signsBefore, 1);
      const verified = await verifyPackages(sdk.dotnet, [join(out, 'Reposign.KeyVault.Identity.1.0.0.nupkg')]);
      assert.equal(verified.code, 0, verified.output);
      assert.match(verified.output, /reposign Key Vault signer/);
    });
  }

  const credentialFailures: readonly [string, readonly string[], Readonly<Record<string, string>>, RegExp][] = [
    ['an unknown user-assigned identity (IMDS)', identity('ManagedIdentity', 'signer', ['--azure-client-id', 'c0ffee00-0000-4000-8000-0000000000ff']), imdsEnvironment(vault), /no access token.*ManagedIdentityCredential.*Identity not found/],
    ['a wrong App Service identity header', identity('ManagedIdentity'), { ...appServiceEnvironment(vault), IDENTITY_HEADER: 'wrong' }, /no access token.*ManagedIdentityCredential.*identity header is missing or wrong/],
    ['a workload identity token Entra ID does not accept', identity('Default'), workloadIdentityEnvironment(vault, wrongTokenFile), /no access token.*AADSTS700213: No matching federated identity record/],
  ];
  for (const [what, args, failureEnv, message] of credentialFailures) {
    await t.test(`reposign sign refuses ${what} with KEY_ACCESS_DENIED (exit 2), on loopback only`, async () => {
      const { unsigned } = await packagesToSign(dir, 'Reposign.KeyVault.Identity.Refused');
      const tokensBefore = vault.tokenRequests.length;
      const result = await runReposign(['sign', unsigned, '--overwrite', ...args], { NODE_EXTRA_CA_CERTS: tls.caBundlePath, ...failureEnv });
      assert.equal(result.code, 2, result.output);
      assert.match(result.output, message);
      assert.doesNotMatch(result.output, new RegExp(GUARD_MARK));
      assert.ok(vault.tokenRequests.length > tokensBefore, 'the loopback token endpoint was asked');
    });
  }

  const failures: readonly [string, readonly string[], Readonly<Record<string, string>>, RegExp][] = [
    ['a disabled key', cli('disabled'), env, /the key is disabled \(Operation get is not allowed on a disabled key/],
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

  await t.test('the feed: pushes restore in require mode, 503 with Retry-After while the vault is away, then recovery', async (st) => {
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
      Signing__AzureKeyVault__MaxAttempts: '2',
      Signing__AzureKeyVault__CircuitBreakerFailures: '1',
      Signing__AzureKeyVault__CircuitBreakerOpenSeconds: '1',
      // No revision polls: every vault request counted below is a push's.
      Signing__ReloadIntervalSeconds: '0',
    });
    st.after(() => feed.stop());
    const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.KeyVault.Feed');
    for (const nupkg of [unsigned, nugetOrg]) {
      const pushed = await pushPackage(feed, nupkg, tls.caBundlePath);
      assert.equal(pushed.status, 201, pushed.body);
    }
    const configFile = join(dir, 'feed.nuget.config');
    await writeFile(configFile, feed.snippet().replace('</trustedSigners>', `<author name="nuget.org-author"><certificate fingerprint="${'0'.repeat(64)}" hashAlgorithm="SHA256" allowUntrustedRoot="false" /></author></trustedSigners>`));
    const restored = await restoreProject(sdk.dotnet, { dir, configFile, packageRef: { id: 'Reposign.KeyVault.Feed', version: '1.0.0' }, env: { SSL_CERT_FILE: tls.caBundlePath } });
    assert.equal(restored.code, 0, restored.output);

    for (const [failure, message] of [['throttled', /is throttling requests: Sign failed 2 times/], ['unavailable', /is unavailable: Sign failed 2 times/], ['unreachable', /is unavailable: Sign failed 2 times/]] as const) {
      vault.fail(failure);
      const { unsigned: refused } = await packagesToSign(dir, `Reposign.KeyVault.${failure}`);
      const requests = vault.requests();
      const pushed = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(pushed.status, 503, pushed.body);
      assert.ok(pushed.retryAfter !== undefined && Number(pushed.retryAfter) > 0, 'Retry-After is set');
      assert.match(pushed.body, message);
      assert.equal(vault.requests() - requests, 2, 'MaxAttempts requests: the Azure SDK adds no retries of its own');
      // The breaker is open now (one failure opens it here): a push fails fast without calling the vault.
      const fast = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(fast.status, 503, fast.body);
      assert.ok(fast.retryAfter !== undefined && Number(fast.retryAfter) > 0, 'Retry-After is set');
      assert.match(fast.body, /Sign was not attempted after 1 consecutive failures/);
      assert.equal(vault.requests() - requests, 2);
      vault.fail(undefined);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const again = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(again.status, 201, again.body);
    }
  });
});
