// SPDX-License-Identifier: MIT
// GcpKms and GcpHsm modes through the unmodified @google-cloud/kms SDK (gRPC over TLS) against the
// loopback Cloud KMS: the CLI signs a package and countersigns a nuget.org package that dotnet
// verifies; the feed (GcpHsm, self-issued certificate) signs pushes that restore in require mode,
// answers 503 with Retry-After while KMS is away and recovers; unusable keys are refused.

import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { prepareTrustingSdk, requireDotnet, restoreProject, verifyPackages } from '../../signing/test/helpers/dotnet.js';
import { createRootCa, issueCertificate } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { packagesToSign, pushPackage, runReposign, startKeyFeed } from '../helpers/cloud-key-harness.js';
import { createTlsMaterial } from '../helpers/feed-process.js';
import { startTestCloudKms, type KmsKeyVersion } from './gcp-kms-server.js';

const RING = 'projects/reposign-test/locations/europe-west1/keyRings/signing';

test('GcpKms and GcpHsm: CLI and feed sign through the loopback Cloud KMS; failures are named', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'gcp-kms');
  const tls = await createTlsMaterial(dir);
  const kms = await startTestCloudKms(dir, tls);
  t.after(() => kms.close());
  const ca = await createRootCa(dir, { name: 'reposign Cloud KMS test CA', keyBits: 2048 });
  const leaf = await issueCertificate(ca, { subject: 'reposign Cloud KMS signer', eku: 'codeSigning', keyBits: 2048 });
  const certificatePath = join(dir, 'signer-chain.pem');
  await writeFile(certificatePath, `${leaf.certPem}${ca.certPem}`);
  const leafKey = createPrivateKey(await readFile(leaf.keyPath));
  const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
  const version = (key: KmsKeyVersion['key'], algorithm: string, protectionLevel: KmsKeyVersion['protectionLevel'] = 'HSM'): KmsKeyVersion => ({ key, algorithm, protectionLevel });
  // Version 1 is disabled: an empty KeyVersion must pick the newest enabled one.
  kms.addKey(`${RING}/cryptoKeys/signer`, [{ ...version(rsa(2048), 'RSA_SIGN_PKCS1_2048_SHA256'), state: 'DISABLED' }, version(leafKey, 'RSA_SIGN_PKCS1_2048_SHA256')]);
  kms.addKey(`${RING}/cryptoKeys/hsm`, [version(rsa(3072), 'RSA_SIGN_PKCS1_3072_SHA256')]);
  kms.addKey(`${RING}/cryptoKeys/ec`, [version(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'EC_SIGN_P256_SHA256')]);
  kms.addKey(`${RING}/cryptoKeys/small`, [version(rsa(1024), 'RSA_SIGN_PKCS1_2048_SHA256')]);
  kms.addKey(`${RING}/cryptoKeys/pss`, [version(rsa(2048), 'RSA_SIGN_PSS_2048_SHA256')]);
  kms.addKey(`${RING}/cryptoKeys/software`, [version(rsa(2048), 'RSA_SIGN_PKCS1_2048_SHA256', 'SOFTWARE')]);
  const sdk = await prepareTrustingSdk({ codeSigningRoots: [ca.certPem], timestampingRoots: [] });
  t.after(() => sdk.dispose());

  // TLS trust of the loopback endpoint only; no metadata server, no ambient Google credentials.
  const env = { NODE_EXTRA_CA_CERTS: tls.caBundlePath, METADATA_SERVER_DETECTION: 'none', GCE_METADATA_HOST: '127.0.0.1:9', GCE_METADATA_IP: '127.0.0.1:9' };
  const cli = (key: string, extra: readonly string[] = []) => [
    '--provider', 'GcpKms',
    '--gcp-kms-key', `${RING}/cryptoKeys/${key}`,
    '--gcp-kms-endpoint', kms.endpoint,
    '--gcp-service-account-key', kms.serviceAccountKeyPath,
    '--v3-service-index-url', 'https://feed.example/v3/index.json',
    ...extra,
  ];

  await t.test('reposign sign: a primary signature and a countersignature that dotnet nuget verify --all accepts', async () => {
    const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.CloudKms.Cli');
    const out = join(dir, 'signed');
    const before = kms.calls.length;
    const signed = await runReposign(['sign', unsigned, nugetOrg, '--output', out, ...cli('signer', ['--certificate-file', certificatePath])], env);
    assert.equal(signed.code, 0, signed.output);
    assert.equal(kms.calls.slice(before).filter((call) => call === 'AsymmetricSign').length, 2, 'one AsymmetricSign call per package');
    const verified = await verifyPackages(sdk.dotnet, [join(out, 'Reposign.CloudKms.Cli.1.0.0.nupkg'), join(out, 'newtonsoft.json.13.0.3.nupkg')]);
    assert.equal(verified.code, 0, verified.output);
    assert.match(verified.output, /reposign Cloud KMS signer/);
  });

  const failures: readonly [string, readonly string[], RegExp][] = [
    ['an EC key', cli('ec'), /EC_SIGN_P256_SHA256: it is an elliptic-curve key/],
    ['a key under 2048 bits', cli('small'), /RSA key of 1024 bits; NuGet needs at least 2048/],
    ['an RSASSA-PSS key', cli('pss'), /RSA_SIGN_PSS_2048_SHA256: it signs with RSASSA-PSS/],
    ['a certificate that does not match the key', cli('hsm', ['--certificate-file', certificatePath]), /no certificate in .* belongs to Cloud KMS key version/],
    ['a SOFTWARE key when HSM is required', cli('software'), /protection level SOFTWARE, but HSM is required/],
    ['an unknown service account', [...cli('signer'), '--gcp-service-account-key', kms.unknownServiceAccountKeyPath], /Cloud KMS refused the credentials/],
    ['a missing key', cli('absent'), /Cloud KMS has no/],
  ];
  for (const [what, args, message] of failures) {
    await t.test(`reposign sign refuses ${what}`, async () => {
      const { unsigned } = await packagesToSign(dir, 'Reposign.CloudKms.Refused');
      const result = await runReposign(['sign', unsigned, '--overwrite', ...args], env);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, message);
    });
  }

  await t.test('the feed in GcpHsm mode: pushes restore in require mode, 503 with Retry-After while KMS is away, then recovery', async (st) => {
    const feed = await startKeyFeed(dir, tls, {
      ...env,
      Signing__Mode: 'GcpHsm',
      Signing__GcpHsm__ProjectId: 'reposign-test',
      Signing__GcpHsm__Location: 'europe-west1',
      Signing__GcpHsm__ClusterName: 'signing',
      Signing__GcpHsm__KeyName: 'hsm',
      Signing__GcpHsm__ServiceAccountKeyPathConfigurationKey: 'Secrets:GcpKey',
      Secrets__GcpKey: kms.serviceAccountKeyPath,
      Signing__GcpHsm__ApiEndpoint: kms.endpoint,
      Signing__GcpHsm__MaxAttempts: '2',
    });
    st.after(() => feed.stop());
    const { unsigned, nugetOrg } = await packagesToSign(dir, 'Reposign.CloudHsm.Feed');
    for (const nupkg of [unsigned, nugetOrg]) {
      const pushed = await pushPackage(feed, nupkg, tls.caBundlePath);
      assert.equal(pushed.status, 201, pushed.body);
    }
    const configFile = join(dir, 'feed.nuget.config');
    await writeFile(configFile, feed.snippet());
    const restored = await restoreProject(sdk.dotnet, { dir, configFile, packageRef: { id: 'Reposign.CloudHsm.Feed', version: '1.0.0' }, env: { SSL_CERT_FILE: tls.caBundlePath } });
    assert.equal(restored.code, 0, restored.output);

    for (const failure of ['throttled', 'unavailable'] as const) {
      kms.fail(failure);
      const { unsigned: refused } = await packagesToSign(dir, `Reposign.CloudHsm.${failure}`);
      const pushed = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(pushed.status, 503, pushed.body);
      assert.ok(pushed.retryAfter !== undefined && Number(pushed.retryAfter) > 0, 'Retry-After is set');
      assert.match(pushed.body, /Cloud KMS key .* (is throttling requests|is unavailable)/);
      kms.fail(undefined);
      const again = await pushPackage(feed, refused, tls.caBundlePath);
      assert.equal(again.status, 201, again.body);
    }
  });
});
