// SPDX-License-Identifier: MIT
// Pkcs11 mode against SoftHSM2 with non-extractable keys: the CLI signs a package and
// countersigns a nuget.org package that dotnet verifies (certificate self-issued by the token's
// key); the feed signs pushes that restore in require mode; and an EC key, a 1024-bit key, a
// certificate of another key and a wrong PIN are refused with their own errors.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import '../../signing/src/index.js';
import { certificateToPem } from '../../signing/src/certificates/certificate.js';
import { openProviderKey } from '../../signing/src/cli/provider-key.js';
import { pkcs11Provider } from '../../signing/src/providers/pkcs11/pkcs11-provider.js';
import { prepareTrustingSdk, requireDotnet, restoreProject, verifyPackages } from '../../signing/test/helpers/dotnet.js';
import { createSelfSigned } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { packagesToSign, pushPackage, runReposign, startKeyFeed } from '../helpers/cloud-key-harness.js';
import { createTlsMaterial } from '../helpers/feed-process.js';
import { createSoftHsmToken, pkcs11FeedEnv } from './pkcs11-softhsm.js';

test('Pkcs11: CLI and feed sign with a non-extractable SoftHSM2 key; failures are named', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'pkcs11');
  const token = await createSoftHsmToken(dir);
  token.generateKey('signer', { rsaBits: 2048 });
  token.generateKey('ec-signer', { ecCurve: 'P-256' });
  token.generateKey('small-signer', { rsaBits: 1024 });
  const env = { SOFTHSM2_CONF: token.configPath, PKCS11_PIN_FOR_TEST: token.pin };
  process.env['PKCS11_PIN_FOR_TEST'] = token.pin;
  const flags = (keyLabel: string, extra: readonly string[] = []): string[] => [
    '--provider', 'Pkcs11',
    '--pkcs11-module', token.modulePath,
    '--pkcs11-token', token.label,
    '--pkcs11-key-label', keyLabel,
    '--pkcs11-pin-variable', 'PKCS11_PIN_FOR_TEST',
    ...extra,
  ];

  // The self-issued certificate, from the provider opened here: the key itself cannot be exported.
  const key = await openProviderKey(pkcs11Provider, {
    'pkcs11-module': token.modulePath,
    'pkcs11-token': token.label,
    'pkcs11-key-label': 'signer',
    'pkcs11-pin-variable': 'PKCS11_PIN_FOR_TEST',
  });
  const certificatePem = certificateToPem(key.certificateChain()[0]);
  const revision = await key.revision?.();
  await key.close();
  assert.match(revision ?? '', /signer#[0-9a-f]{64}$/);
  const sdk = await prepareTrustingSdk({ codeSigningRoots: [certificatePem], timestampingRoots: [] });
  t.after(() => sdk.dispose());

  await t.test('reposign sign: a primary signature and a countersignature that dotnet nuget verify --all accepts', async () => {
    const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.Pkcs11.Cli');
    const out = join(dir, 'signed');
    const signed = await runReposign(['sign', unsigned, nugetOrg, '--output', out, ...flags('signer', ['--v3-service-index-url', 'https://feed.example/v3/index.json'])], env);
    assert.equal(signed.code, 0, signed.output);
    const verified = await verifyPackages(sdk.dotnet, [join(out, 'Reposign.Pkcs11.Cli.1.0.0.nupkg'), join(out, 'newtonsoft.json.13.0.3.nupkg')]);
    assert.equal(verified.code, 0, verified.output);
    assert.match(verified.output, /reposign repository signing \(Pkcs11\)/);
  });

  const unrelated = await createSelfSigned(dir, { subject: 'reposign unrelated signer', keyBits: 2048 });
  const failures: readonly [string, readonly string[], Readonly<Record<string, string>>, RegExp][] = [
    ['an EC key', flags('ec-signer'), env, /is an EC key; NuGet signatures need an RSA key of at least 2048 bits/],
    ['a key under 2048 bits', flags('small-signer'), env, /is an RSA key of 1024 bits; NuGet needs at least 2048/],
    ['a certificate that does not match its key', flags('signer', ['--certificate-file', unrelated.certPath]), env, /does not match the remote key/],
    ['a missing key', flags('absent'), env, /no private key with that label/],
    ['a wrong PIN', flags('signer'), { ...env, PKCS11_PIN_FOR_TEST: '000000' }, /the token refused the PIN \(CKR_PIN_INCORRECT\)/],
  ];
  for (const [what, args, failureEnv, message] of failures) {
    await t.test(`reposign sign refuses ${what}`, async () => {
      const { unsigned } = await packagesToSign(dir, 'Reposign.Pkcs11.Refused');
      const result = await runReposign(['sign', unsigned, '--overwrite', '--v3-service-index-url', 'https://feed.example/v3/index.json', ...args], failureEnv);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, message);
    });
  }

  await t.test('the feed: pushes are signed on the token and restore in require mode', async (st) => {
    const tls = await createTlsMaterial(dir);
    const feed = await startKeyFeed(dir, tls, pkcs11FeedEnv(token, 'signer'));
    st.after(() => feed.stop());
    const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.Pkcs11.Feed');
    for (const nupkg of [unsigned, nugetOrg]) {
      const pushed = await pushPackage(feed, nupkg, tls.caBundlePath);
      assert.equal(pushed.status, 201, pushed.body);
    }
    const configFile = join(dir, 'feed.nuget.config');
    await writeFile(configFile, feed.snippet());
    const restored = await restoreProject(sdk.dotnet, { dir, configFile, packageRef: { id: 'Reposign.Pkcs11.Feed', version: '1.0.0' }, env: { SSL_CERT_FILE: tls.caBundlePath } });
    assert.equal(restored.code, 0, restored.output);
  });
});
