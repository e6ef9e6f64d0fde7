// SPDX-License-Identifier: MIT
// AwsKms mode through the unmodified @aws-sdk/client-kms against the loopback KMS: the CLI signs a
// package and countersigns a nuget.org package that dotnet verifies (with a CA-issued certificate
// file, and with a certificate self-issued by the KMS key); the feed signs pushes that restore in
// require mode, answers 503 with Retry-After while KMS throttles or is away and recovers without a
// restart; and every unusable key or credential is refused with its own error.

import assert from 'node:assert/strict';
import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';

import { certificateToPem } from '../../signing/src/certificates/certificate.js';
import { remoteIssuedCertificate } from '../../signing/src/certificates/remote-issued-certificate.js';
import { digestInfo, signInputDigest } from '../../signing/src/signing-key.js';
import { prepareTrustingSdk, requireDotnet, restoreProject, verifyPackages } from '../../signing/test/helpers/dotnet.js';
import { createRootCa, issueCertificate } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { packagesToSign, pushPackage, runReposign, startKeyFeed } from '../helpers/cloud-key-harness.js';
import { createTlsMaterial } from '../helpers/feed-process.js';
import { startAwsKmsServer, type AwsKmsTestKey } from './aws-kms-server.js';

/** The certificate the KMS key self-issues, computed here with the fake's copy of the key: it is deterministic. */
async function selfIssued(key: AwsKmsTestKey): Promise<string> {
  const der = await remoteIssuedCertificate({
    spki: key.publicKey,
    subject: 'CN=reposign repository signing (AwsKms)',
    hashAlgorithm: 'SHA256',
    signer: { sign: async (input, hash) => privateEncrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, signInputDigest(input, hash))) },
    signal: new AbortController().signal,
  });
  return certificateToPem(der);
}

test('AwsKms: CLI and feed sign through the loopback KMS; failures are named', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'aws-kms');
  const kms = await startAwsKmsServer();
  t.after(() => kms.close());
  const ca = await createRootCa(dir, { name: 'reposign AWS KMS test CA', keyBits: 2048 });
  const leaf = await issueCertificate(ca, { subject: 'reposign AWS KMS signer', eku: 'codeSigning', keyBits: 2048 });
  const chainPath = join(dir, 'signer-chain.pem');
  await writeFile(chainPath, `${leaf.certPem}${ca.certPem}`);
  kms.addKey('RSA_2048', 'alias/reposign-signer', createPrivateKey(await readFile(leaf.keyPath)));
  const generated = kms.addKey('RSA_3072', 'alias/reposign-generated');
  kms.addKey('ECC_NIST_P256', 'alias/reposign-ec');
  kms.addKey('RSA_1024', 'alias/reposign-small');
  const other = await issueCertificate(ca, { subject: 'reposign unrelated signer', eku: 'codeSigning', keyBits: 2048 });
  const selfIssuedPem = await selfIssued(generated);
  const sdk = await prepareTrustingSdk({ codeSigningRoots: [ca.certPem, selfIssuedPem], timestampingRoots: [] });
  t.after(() => sdk.dispose());

  const env = { AWS_SECRET_FOR_TEST: kms.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' };
  const cli = (keyId: string, certificate: string, extra: readonly string[] = []) => [
    '--provider', 'AwsKms',
    '--aws-region', kms.region,
    '--aws-kms-key-id', keyId,
    '--aws-kms-endpoint', kms.url,
    '--aws-access-key-id', kms.accessKeyId,
    '--aws-secret-access-key-variable', 'AWS_SECRET_FOR_TEST',
    ...(certificate === '' ? [] : ['--certificate-file', certificate]),
    '--v3-service-index-url', 'https://feed.example/v3/index.json',
    ...extra,
  ];

  await t.test('the loopback KMS answers the unmodified SDK as KMS does', async () => {
    const client = new KMSClient({ region: kms.region, endpoint: kms.url, credentials: { accessKeyId: kms.accessKeyId, secretAccessKey: kms.secretAccessKey } });
    const described = await client.send(new DescribeKeyCommand({ KeyId: 'alias/reposign-generated' }));
    assert.equal(described.KeyMetadata?.KeySpec, 'RSA_3072');
    assert.equal(described.KeyMetadata?.KeyState, 'Enabled');
    const wrong = new KMSClient({ region: kms.region, endpoint: kms.url, maxAttempts: 1, credentials: { accessKeyId: kms.accessKeyId, secretAccessKey: 'wrong' } });
    await assert.rejects(wrong.send(new DescribeKeyCommand({ KeyId: 'alias/reposign-generated' })), { name: 'InvalidSignatureException' });
    client.destroy();
    wrong.destroy();
  });

  for (const [what, keyId, certificate, subject] of [
    ['a CA-issued certificate file', 'alias/reposign-signer', chainPath, /reposign AWS KMS signer/],
    ['a certificate self-issued by the KMS key', 'alias/reposign-generated', '', /reposign repository signing \(AwsKms\)/],
  ] as const) {
    await t.test(`reposign sign with ${what}: a primary signature and a countersignature that dotnet nuget verify --all accepts`, async () => {
      const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.AwsKms.Cli');
      const out = join(dir, `signed-${certificate === '' ? 'self-issued' : 'file'}`);
      const before = kms.calls.filter((call) => call === 'TrentService.Sign').length;
      const signed = await runReposign(['sign', unsigned, nugetOrg, '--output', out, ...cli(keyId, certificate)], env);
      assert.equal(signed.code, 0, signed.output);
      const signs = kms.calls.filter((call) => call === 'TrentService.Sign').length - before;
      assert.equal(signs, certificate === '' ? 3 : 2, 'one KMS Sign call per package (plus one for a self-issued certificate)');
      const verified = await verifyPackages(sdk.dotnet, [join(out, 'Reposign.AwsKms.Cli.1.0.0.nupkg'), join(out, 'newtonsoft.json.13.0.3.nupkg')]);
      assert.equal(verified.code, 0, verified.output);
      assert.match(verified.output, subject);
    });
  }

  const failures: readonly [string, readonly string[], Readonly<Record<string, string>>, RegExp][] = [
    ['an EC key', cli('alias/reposign-ec', ''), env, /is an EC key; NuGet signatures need an RSA key of at least 2048 bits/],
    ['a key under 2048 bits', cli('alias/reposign-small', ''), env, /is an RSA key of 1024 bits; NuGet needs at least 2048/],
    ['a certificate that does not match its key', cli('alias/reposign-signer', other.certPath), env, /does not match the remote key/],
    ['a missing key', cli('alias/absent', ''), env, /no such key or alias/],
    ['a wrong secret access key', cli('alias/reposign-signer', chainPath), { ...env, AWS_SECRET_FOR_TEST: 'wrong' }, /secret access key does not match.*InvalidSignatureException/],
    ['the PSS algorithm', cli('alias/reposign-signer', chainPath, ['--aws-kms-signing-algorithm', 'RSASSA_PSS_SHA_256']), env, /RSASSA-PSS, which NuGet signatures never use/],
  ];
  for (const [what, args, failureEnv, message] of failures) {
    await t.test(`reposign sign refuses ${what}`, async () => {
      const { unsigned } = await packagesToSign(dir, 'Reposign.AwsKms.Refused');
      const result = await runReposign(['sign', unsigned, '--overwrite', ...args], failureEnv);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, message);
    });
  }

  await t.test('the feed: pushes restore in require mode, 503 with Retry-After while KMS throttles or is away, then recovery', async (st) => {
    const tls = await createTlsMaterial(dir);
    const feed = await startKeyFeed(dir, tls, {
      Signing__Mode: 'AwsKms',
      Signing__AwsKms__Region: kms.region,
      Signing__AwsKms__KeyId: 'alias/reposign-signer',
      Signing__AwsKms__Endpoint: kms.url,
      Signing__AwsKms__AccessKeyId: kms.accessKeyId,
      Signing__AwsKms__SecretAccessKeyConfigurationKey: 'Secrets:AwsKms',
      Secrets__AwsKms: kms.secretAccessKey,
      Signing__AwsKms__CertificatePath: chainPath,
      Signing__AwsKms__MaxAttempts: '2',
      Signing__AwsKms__CircuitBreakerFailures: '1',
      Signing__AwsKms__CircuitBreakerOpenSeconds: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    st.after(() => feed.stop());
    const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.AwsKms.Feed');
    for (const nupkg of [unsigned, nugetOrg]) {
      const pushed = await pushPackage(feed, nupkg, tls.caBundlePath);
      assert.equal(pushed.status, 201, pushed.body);
    }
    const configFile = join(dir, 'feed.nuget.config');
    await writeFile(configFile, feed.snippet());
    const restored = await restoreProject(sdk.dotnet, { dir, configFile, packageRef: { id: 'Reposign.AwsKms.Feed', version: '1.0.0' }, env: { SSL_CERT_FILE: tls.caBundlePath } });
    assert.equal(restored.code, 0, restored.output);

    for (const [failure, message] of [['throttled', /is throttling requests/], ['unreachable', /is unavailable/]] as const) {
      kms.fail(failure);
      const { unsigned: refused } = await packagesToSign(dir, `Reposign.AwsKms.${failure}`);
      const pushed = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(pushed.status, 503, pushed.body);
      assert.ok(pushed.retryAfter !== undefined && Number(pushed.retryAfter) > 0, 'Retry-After is set');
      assert.match(pushed.body, message);
      // The breaker is open now (one failure opens it here): a push fails fast without calling KMS.
      const calls = kms.calls.length;
      const fast = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(fast.status, 503, fast.body);
      assert.match(fast.body, /was not attempted after 1 consecutive failures/);
      assert.equal(kms.calls.length, calls);
      kms.fail(undefined);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const again = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(again.status, 201, again.body);
    }
  });
});
