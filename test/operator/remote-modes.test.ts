// SPDX-License-Identifier: MIT
// The cloud KMS and PKCS#11 modes against the loopback services the unmodified SDKs talk to (AWS
// KMS over http, SoftHSM2 through PKCS#11 in-process on the fake clock; Azure Key Vault and Cloud
// KMS over TLS with the real operator entry point, which trusts the test CA through
// NODE_EXTRA_CA_CERTS). kubectl applies each RepositorySigner and waits for Ready; the published
// certificate is the vault's (or the key's), the signer-service configuration Secret carries no
// private key, an outage turns ProviderReady False with a reason and recovers, and a new key
// named in the spec is published beside the old one.

import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { certificatesFromPem } from '@reposign/signing';
import type { ConfigMapObject, SecretObject } from '../../operator/src/kube/kube-object.js';
import { CONFIG_MAPS, SECRETS } from '../../operator/src/kube/resources.js';
import { REMOTE_RECHECK_MS } from '../../operator/src/modes/remote-key-mode.js';
import { readCertificatesPem, readRecords } from '../../operator/src/objects/records-config-map.js';
import { createRootCa, issueCertificate } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { createTlsMaterial } from '../helpers/feed-process.js';
import { startAwsKmsServer } from '../kms/aws-kms-server.js';
import { startTestKeyVault } from '../kms/azure-key-vault-server.js';
import { startTestCloudKms } from '../kms/gcp-kms-server.js';
import { createSoftHsmToken, softHsmAvailable } from '../kms/pkcs11-softhsm.js';
import { conditionOf, eventually, settledWrites, startOperatorHarness, type OperatorHarness } from './operator-harness.js';

function signerManifest(name: string, mode: string, block: Record<string, unknown>, annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): string {
  const blockName = mode.charAt(0).toLowerCase() + mode.slice(1);
  return JSON.stringify({ apiVersion: 'reposign.dev/v1alpha1', kind: 'RepositorySigner', metadata: { name, namespace: 'nuget', annotations }, spec: { mode, [blockName]: block, ...spec } });
}

async function apply(h: OperatorHarness, manifest: unknown): Promise<void> {
  const applied = await h.kubectl.run(['apply', '-f', '-'], typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  assert.equal(applied.code, 0, applied.stderr);
}

async function userSecret(h: OperatorHarness, name: string, stringData: Record<string, string>): Promise<void> {
  await apply(h, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'nuget' }, type: 'Opaque', stringData });
}

async function waitReady(h: OperatorHarness, name: string): Promise<void> {
  const waited = await h.kubectl.run(['wait', '--for=condition=Ready', '--timeout=90s', '-n', 'nuget', `rsig/${name}`]);
  const signer = await h.signer('nuget', name);
  assert.equal(waited.code, 0, `${waited.stderr} ${JSON.stringify(signer?.status?.conditions)}`);
}

/** The published certificates of signer `name`, DER. */
async function published(h: OperatorHarness, name: string): Promise<Uint8Array[]> {
  return certificatesFromPem(readCertificatesPem(await h.client.get<ConfigMapObject>(CONFIG_MAPS, 'nuget', `${name}-certificates`)));
}

function spkiOf(certificate: Uint8Array | string): Buffer {
  return new X509Certificate(typeof certificate === 'string' ? certificate : Buffer.from(certificate)).publicKey.export({ type: 'spki', format: 'der' });
}

/** The signer-service configuration Secret: its parsed reposign.json and every value decoded. */
async function signerConfig(h: OperatorHarness, name: string): Promise<{ readonly config: { Signing: Record<string, unknown> }; readonly values: Record<string, string> }> {
  const secret = await h.client.get<SecretObject>(SECRETS, 'nuget', `${name}-signer-config`);
  const values = Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
  return { config: JSON.parse(values['reposign.json'] ?? '{}') as { Signing: Record<string, unknown> }, values };
}

function assertNoPrivateKey(values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) assert.doesNotMatch(value, /PRIVATE KEY/, `config Secret key ${key} holds no private key`);
}

async function waitCondition(h: OperatorHarness, name: string, type: string, status: string, advanceMs = 0): Promise<{ reason: string; message: string }> {
  return eventually(async () => {
    if (advanceMs > 0) await h.clock.advance(advanceMs);
    const condition = conditionOf(await h.signer('nuget', name), type);
    return condition?.status === status ? condition : undefined;
  }, `${name}: ${type}=${status}`, 90_000);
}

test('AwsKms: a self-issued certificate of the KMS key is published and configured; an outage is reported and recovers; a new key id is published beside the old', { timeout: 300_000 }, async (t) => {
  const kms = await startAwsKmsServer();
  t.after(() => kms.close());
  const first = kms.addKey('RSA_2048', 'alias/feed');
  const second = kms.addKey('RSA_2048', 'alias/feed-2027');
  const h = await startOperatorHarness(t);
  await userSecret(h, 'aws', { 'secret-access-key': kms.secretAccessKey });
  h.startOperator();
  const block = (keyId: string) => ({ region: kms.region, keyId, endpoint: kms.url, accessKeyId: kms.accessKeyId, secretAccessKeySecretRef: { name: 'aws', key: 'secret-access-key' } });
  await apply(h, signerManifest('feed', 'AwsKms', block(first.arn)));
  await waitReady(h, 'feed');

  const [certificate] = await published(h, 'feed');
  assert.ok(certificate);
  assert.deepEqual(spkiOf(certificate), first.publicKey, 'the published certificate is the KMS key');
  const { config, values } = await signerConfig(h, 'feed');
  assert.equal(config.Signing['Mode'], 'AwsKms');
  assert.deepEqual(config.Signing['AwsKms'], { Region: kms.region, KeyId: first.arn, Endpoint: kms.url, AccessKeyId: kms.accessKeyId, SecretAccessKey: kms.secretAccessKey });
  assertNoPrivateKey(values);
  const signer = await h.signer('nuget', 'feed');
  assert.match(signer?.status?.providerVersion ?? '', new RegExp(`${first.arn}#[0-9a-f]{64}$`));

  await t.test('an outage: ProviderReady False (Unreachable), Ready False, the published record kept; recovery', async () => {
    kms.fail('unreachable');
    const down = await waitCondition(h, 'feed', 'ProviderReady', 'False', REMOTE_RECHECK_MS);
    assert.equal(down.reason, 'Unreachable');
    assert.match(down.message, /SIGNING_UNAVAILABLE/);
    assert.equal(conditionOf(await h.signer('nuget', 'feed'), 'Ready')?.reason, 'ProviderNotReady');
    assert.equal((await published(h, 'feed')).length, 1);
    kms.fail(undefined);
    await waitCondition(h, 'feed', 'Ready', 'True', REMOTE_RECHECK_MS);
    assert.equal((await h.signer('nuget', 'feed'))?.status?.revision, 1, 'the same certificate: no new revision');
  });

  const rotatedSpec = { certificate: { subject: { commonName: 'feed rotated', organizations: ['Tests'] }, duration: '2160h' } };
  await t.test('a rotation request: a new certificate signed by the same KMS key, published beside the first and configured', async () => {
    await apply(h, signerManifest('feed', 'AwsKms', block(first.arn), { 'reposign.dev/rotate': 'r1' }, rotatedSpec));
    const rotated = await eventually(async () => {
      const current = await h.signer('nuget', 'feed');
      return current?.status?.revision === 2 && conditionOf(current, 'Ready')?.status === 'True' ? current : undefined;
    }, 'revision 2 Ready');
    assert.equal(rotated.status?.lastHandledRotationRequest, 'r1');
    const all = await published(h, 'feed');
    assert.equal(all.length, 2);
    assert.deepEqual(all.map(spkiOf), [first.publicKey, first.publicKey], 'the same KMS key');
    const renewed = new X509Certificate(Buffer.from(all[1] ?? new Uint8Array()));
    assert.match(renewed.subject, /CN=feed rotated/);
    assert.ok(renewed.verify(createPublicKey({ key: first.publicKey, format: 'der', type: 'spki' })), 'signed by the KMS key');
    assert.ok(Date.parse(renewed.validTo) - h.clock.now() <= 2160 * 3_600_000, 'the lifetime spec.certificate asks for');
    const { config, values } = await signerConfig(h, 'feed');
    assert.equal((config.Signing['AwsKms'] as Record<string, unknown>)['CertificatePath'], '/etc/reposign/signing/issued-certificate.pem');
    assert.equal(new X509Certificate(values['issued-certificate.pem'] ?? '').fingerprint256, renewed.fingerprint256);
    assertNoPrivateKey(values);
  });

  await t.test('a new key id in the spec: the new key is published beside the earlier certificates and configured', async () => {
    await apply(h, signerManifest('feed', 'AwsKms', block('alias/feed-2027'), { 'reposign.dev/rotate': 'r1' }, rotatedSpec));
    await eventually(async () => {
      const current = await h.signer('nuget', 'feed');
      return current?.status?.revision === 3 && conditionOf(current, 'Ready')?.status === 'True' ? true : undefined;
    }, 'revision 3 Ready');
    const all = await published(h, 'feed');
    assert.deepEqual(all.map(spkiOf), [first.publicKey, first.publicKey, second.publicKey]);
    const { config } = await signerConfig(h, 'feed');
    const aws = config.Signing['AwsKms'] as Record<string, unknown>;
    assert.equal(aws['KeyId'], 'alias/feed-2027');
    assert.equal(aws['CertificatePath'], undefined, "the certificate issued for the earlier key is not the new key's");
  });

  await t.test('refused credentials: ProviderReady False with AccessDenied', async () => {
    await userSecret(h, 'aws-wrong', { 'secret-access-key': 'not-the-secret' });
    await apply(h, signerManifest('denied', 'AwsKms', { ...block(first.arn), secretAccessKeySecretRef: { name: 'aws-wrong', key: 'secret-access-key' } }));
    const denied = await waitCondition(h, 'denied', 'ProviderReady', 'False');
    assert.equal(denied.reason, 'AccessDenied');
    assert.match(denied.message, /KEY_ACCESS_DENIED/);
  });
});

test('AwsKms with a configured chain: the CA-issued certificate is published as given; a mismatching one is KeyRejected', { timeout: 300_000 }, async (t) => {
  const dir = await tempDirFor(t, 'operator-aws-chain');
  const ca = await createRootCa(dir, { name: 'reposign operator KMS CA', keyBits: 2048 });
  const leaf = await issueCertificate(ca, { subject: 'reposign operator KMS signer', eku: 'codeSigning', keyBits: 2048 });
  const other = await issueCertificate(ca, { subject: 'reposign another signer', eku: 'codeSigning', keyBits: 2048 });
  const kms = await startAwsKmsServer();
  t.after(() => kms.close());
  kms.addKey('RSA_2048', 'alias/imported', createPrivateKey(await readFile(leaf.keyPath)));
  const h = await startOperatorHarness(t);
  await userSecret(h, 'kms-certificate', { 'tls.crt': `${leaf.certPem}${ca.certPem}`, 'wrong.crt': other.certPem, 'secret-access-key': kms.secretAccessKey });
  h.startOperator();
  const block = (key: string) => ({
    region: kms.region,
    keyId: 'alias/imported',
    endpoint: kms.url,
    accessKeyId: kms.accessKeyId,
    secretAccessKeySecretRef: { name: 'kms-certificate', key: 'secret-access-key' },
    certificateSecretRef: { name: 'kms-certificate', key },
  });
  await apply(h, signerManifest('chained', 'AwsKms', block('tls.crt')));
  await waitReady(h, 'chained');
  const [certificate] = await published(h, 'chained');
  assert.ok(certificate);
  assert.equal(new X509Certificate(Buffer.from(certificate)).fingerprint256, new X509Certificate(leaf.certPem).fingerprint256, 'the configured certificate is published');
  const { config, values } = await signerConfig(h, 'chained');
  assert.equal((config.Signing['AwsKms'] as Record<string, unknown>)['CertificatePath'], '/etc/reposign/signing/certificate');
  assert.equal(values['certificate'], `${leaf.certPem}${ca.certPem}`);
  assertNoPrivateKey(values);

  await apply(h, signerManifest('chained', 'AwsKms', block('tls.crt'), { 'reposign.dev/rotate': 'r1' }));
  const refused = await eventually(async () => {
    const issuing = conditionOf(await h.signer('nuget', 'chained'), 'Issuing');
    return issuing?.reason === 'Failed' ? issuing : undefined;
  }, 'Issuing Failed');
  assert.match(refused.message, /comes from spec\.awsKms\.certificateSecretRef: replace it there/);
  await settledWrites(h);
  assert.deepEqual(conditionOf(await h.signer('nuget', 'chained'), 'Issuing'), refused, 'the failure stays on Issuing after the passes that follow it');
  assert.equal((await h.signer('nuget', 'chained'))?.status?.failedIssuanceAttempts, 1, 'one attempt, then the back-off');
  assert.equal(conditionOf(await h.signer('nuget', 'chained'), 'Ready')?.status, 'True', 'the configured certificate keeps signing');

  await apply(h, signerManifest('mismatched', 'AwsKms', block('wrong.crt')));
  const rejected = await waitCondition(h, 'mismatched', 'ProviderReady', 'False');
  assert.equal(rejected.reason, 'KeyRejected');
  assert.match(rejected.message, /spec\.awsKms\.certificateSecretRef: .*CERTIFICATE_MISMATCH/);
  assert.equal((await h.client.get<ConfigMapObject>(CONFIG_MAPS, 'nuget', 'mismatched-certificates')), undefined, 'nothing published');
});

test('Pkcs11 (SoftHSM2): the token key self-issues the published certificate; an EC key is KeyRejected with NU3014', { timeout: 300_000 }, async (t) => {
  if (!softHsmAvailable()) {
    assert.notEqual(process.env['CI'], 'true', 'SoftHSM2 must be installed on CI');
    t.skip('softhsm2 is not installed');
    return;
  }
  const dir = await tempDirFor(t, 'operator-pkcs11');
  const token = await createSoftHsmToken(dir, 'feed-token');
  token.generateKey('signing', { rsaBits: 2048 });
  token.generateKey('ec-signing', { ecCurve: 'P-256' });
  const h = await startOperatorHarness(t);
  await userSecret(h, 'token', { pin: `${token.pin}\n` });
  h.startOperator();
  const block = (keyLabel: string) => ({ modulePath: token.modulePath, tokenLabel: token.label, keyLabel, pinSecretRef: { name: 'token', key: 'pin' } });
  await apply(h, signerManifest('hsm', 'Pkcs11', block('signing')));
  await waitReady(h, 'hsm');
  const [certificate] = await published(h, 'hsm');
  assert.ok(certificate);
  assert.match(new X509Certificate(Buffer.from(certificate)).subject, /CN=reposign repository signing \(Pkcs11\)/);
  const { config, values } = await signerConfig(h, 'hsm');
  assert.deepEqual(config.Signing['Pkcs11'], { ModulePath: token.modulePath, TokenLabel: token.label, KeyLabel: 'signing', Pin: token.pin });
  assertNoPrivateKey(values);

  await apply(h, signerManifest('hsm-ec', 'Pkcs11', block('ec-signing')));
  const rejected = await waitCondition(h, 'hsm-ec', 'ProviderReady', 'False');
  assert.equal(rejected.reason, 'KeyRejected');
  assert.match(rejected.message, /KEY_UNSUPPORTED, NU3014/);
});

test('AzureKeyVault and GcpKms over TLS through the operator process: the vault certificate and the Cloud KMS key are published, no key in the config Secret', { timeout: 300_000 }, async (t) => {
  const dir = await tempDirFor(t, 'operator-cloud-tls');
  const tls = await createTlsMaterial(dir);
  const vault = await startTestKeyVault(tls);
  t.after(() => vault.close());
  const ca = await createRootCa(dir, { name: 'reposign operator Key Vault CA', keyBits: 2048 });
  const leaf = await issueCertificate(ca, { subject: 'reposign operator Key Vault signer', eku: 'codeSigning', keyBits: 2048 });
  vault.addCertificate('feed-signing', { certificate: new X509Certificate(leaf.certPem).raw, key: createPrivateKey(await readFile(leaf.keyPath)) });
  const kms = await startTestCloudKms(dir, tls);
  t.after(() => kms.close());
  const ring = 'projects/reposign-test/locations/europe-west1/keyRings/signing';
  const kmsKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  kms.addKey(`${ring}/cryptoKeys/feed`, [{ key: kmsKey, algorithm: 'RSA_SIGN_PKCS1_2048_SHA256', protectionLevel: 'HSM' }]);

  const h = await startOperatorHarness(t);
  await userSecret(h, 'azure', { 'client-secret': vault.clientSecret });
  await userSecret(h, 'gcp', { 'key.json': await readFile(kms.serviceAccountKeyPath, 'utf8') });
  const operator = h.spawnOperator({ NODE_EXTRA_CA_CERTS: tls.caBundlePath, METADATA_SERVER_DETECTION: 'none', GCE_METADATA_HOST: '127.0.0.1:9', GCE_METADATA_IP: '127.0.0.1:9' });
  let logs = '';
  operator.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
  await apply(
    h,
    signerManifest('vault', 'AzureKeyVault', {
      vaultUri: `${vault.url}/`,
      certificateName: 'feed-signing',
      authenticationMode: 'ClientSecret',
      tenantId: vault.tenantId,
      clientId: vault.clientId,
      clientSecretRef: { name: 'azure', key: 'client-secret' },
      authorityHost: vault.url,
      disableChallengeResourceVerification: true,
    }),
  );
  await apply(
    h,
    signerManifest('cloudkms', 'GcpKms', { keyName: `${ring}/cryptoKeys/feed`, protectionLevel: 'Hsm', apiEndpoint: kms.endpoint, serviceAccountKeySecretRef: { name: 'gcp', key: 'key.json' } }),
  );
  await waitReady(h, 'vault').catch((error: unknown) => assert.fail(`${String(error)}\n${logs}`));
  await waitReady(h, 'cloudkms');

  const [vaultCertificate] = await published(h, 'vault');
  assert.ok(vaultCertificate);
  assert.equal(new X509Certificate(Buffer.from(vaultCertificate)).fingerprint256, new X509Certificate(leaf.certPem).fingerprint256, "the vault's certificate is published");
  const azure = await signerConfig(h, 'vault');
  assert.equal((azure.config.Signing['AzureKeyVault'] as Record<string, unknown>)['ClientSecret'], vault.clientSecret);
  assertNoPrivateKey(azure.values);

  const [kmsCertificate] = await published(h, 'cloudkms');
  assert.ok(kmsCertificate);
  assert.deepEqual(spkiOf(kmsCertificate), createPublicKey(kmsKey).export({ type: 'spki', format: 'der' }), 'the published certificate is the Cloud KMS key');
  const gcp = await signerConfig(h, 'cloudkms');
  assert.equal((gcp.config.Signing['GcpKms'] as Record<string, unknown>)['ServiceAccountKeyPath'], join('/etc/reposign/signing', 'service-account-key'));
  assert.match(gcp.values['service-account-key'] ?? '', /"type":"service_account"/);
  assert.equal(readRecords(await h.client.get<ConfigMapObject>(CONFIG_MAPS, 'nuget', 'cloudkms-certificates')).length, 1);
});
