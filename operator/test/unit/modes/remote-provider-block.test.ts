// SPDX-License-Identifier: MIT
// The remote modes' provider blocks between the CRD and the engine: every CRD field maps back to
// one engine field, Secret references become the engine's password and files and the
// signer-service's values and mounted files, and provider failures become ProviderReady reasons.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { ProviderSettingError, ReposignError, signingProvider, signingProviders } from '@reposign/signing';
import { crdField, deriveProviderBlocks } from '../../../src/api/v1alpha1/provider-blocks.js';
import type { SecretObject } from '../../../src/kube/kube-object.js';
import { restKubeClient } from '../../../src/kube/rest-kube-client.js';
import { engineKeyMaterialInspector } from '../../../src/modes/engine-key-material.js';
import type { ModeContext } from '../../../src/modes/mode-handler.js';
import { providerFailure } from '../../../src/modes/provider-failure.js';
import { resolveProviderBlock, specSettingName } from '../../../src/modes/remote-provider-block.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { signer } from '../../helpers/signers.js';

const REMOTE_MODES = ['AzureKeyVault', 'AwsKms', 'GcpKms', 'GcpHsm', 'Pkcs11'];

function contextWith(secrets: Readonly<Record<string, Readonly<Record<string, string>>>>): ModeContext {
  return {
    // Never called: resolving only reads Secrets.
    client: restKubeClient(new KubeConfig()),
    clock: new FakeClock(),
    inspector: engineKeyMaterialInspector,
    secret: async (_namespace, name): Promise<SecretObject | undefined> => {
      const data = secrets[name];
      return data === undefined ? undefined : { metadata: { name }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
    },
  };
}

test('every CRD field of a remote mode maps back to exactly one engine field', () => {
  const blocks = deriveProviderBlocks(signingProviders());
  for (const mode of REMOTE_MODES) {
    const block = blocks.find((b) => b.mode === mode);
    assert.ok(block, mode);
    const mapped = Object.keys(signingProvider(mode).configSchema.properties).flatMap((field) => {
      const spelled = crdField(mode, field);
      return spelled.kind === 'omitted' ? [] : [spelled.name];
    });
    assert.deepEqual([...mapped].sort(), Object.keys(block.schema.properties ?? {}).sort(), mode);
  }
});

test('Secret references become the engine password and files, and values and mounted files for the signer-service', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'remote-block-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pkcs11 = signer({
    spec: { mode: 'Pkcs11', pkcs11: { modulePath: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'feed', keyLabel: 'signing', pinSecretRef: { name: 'token', key: 'pin' }, certificateSecretRef: { name: 'token', key: 'tls.crt' } } },
  });
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const resolved = await resolveProviderBlock(pkcs11, signingProvider('Pkcs11'), contextWith({ token: { pin: '1234\n', 'tls.crt': pem } }), '/etc/reposign/signing', dir);
  assert.ok(typeof resolved !== 'string', typeof resolved === 'string' ? resolved : '');
  assert.deepEqual(resolved.password, { value: '1234', key: 'spec.pkcs11.pinSecretRef' });
  assert.equal(resolved.config['Pin'], '1234');
  assert.equal(resolved.config['CertificatePath'], join(dir, 'certificate'));
  assert.equal(await readFile(join(dir, 'certificate'), 'utf8'), pem);
  assert.equal(resolved.config['MaxAttempts'], 3, "the engine's defaults apply");
  assert.deepEqual(resolved.signerConfig.signing, {
    Mode: 'Pkcs11',
    Pkcs11: { ModulePath: '/usr/lib/softhsm/libsofthsm2.so', TokenLabel: 'feed', KeyLabel: 'signing', Pin: '1234', CertificatePath: '/etc/reposign/signing/certificate' },
  });
  assert.deepEqual(Object.keys(resolved.signerConfig.files), ['certificate']);

  const gcp = signer({ spec: { mode: 'GcpKms', gcpKms: { keyName: 'projects/p-1234/locations/l/keyRings/r/cryptoKeys/k', serviceAccountKeySecretRef: { name: 'gcp', key: 'key.json' } } } });
  const gcpResolved = await resolveProviderBlock(gcp, signingProvider('GcpKms'), contextWith({ gcp: { 'key.json': '{}' } }), '/m', dir);
  assert.ok(typeof gcpResolved !== 'string');
  assert.deepEqual(gcpResolved.password, { value: join(dir, 'service-account-key'), key: 'spec.gcpKms.serviceAccountKeySecretRef' }, 'the key file path is the password the GCP provider reads');
  assert.equal((gcpResolved.signerConfig.signing['GcpKms'] as Record<string, unknown>)['ServiceAccountKeyPath'], '/m/service-account-key');
});

test('a missing Secret or key is named with its spec field', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'remote-block-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const aws = signer({ spec: { mode: 'AwsKms', awsKms: { region: 'eu-west-1', keyId: 'alias/x', accessKeyId: 'AKIA', secretAccessKeySecretRef: { name: 'aws', key: 'secret' } } } });
  assert.equal(await resolveProviderBlock(aws, signingProvider('AwsKms'), contextWith({}), '/m', dir), 'spec.awsKms.secretAccessKeySecretRef: Secret aws does not exist');
  assert.equal(await resolveProviderBlock(aws, signingProvider('AwsKms'), contextWith({ aws: {} }), '/m', dir), 'spec.awsKms.secretAccessKeySecretRef: Secret aws has no key secret');
  assert.equal(specSettingName('AwsKms', 'SecretAccessKeyConfigurationKey'), 'spec.awsKms', 'a field the CRD does not carry names the block');
});

test('provider failures map to ProviderReady reasons with the engine code in the message', () => {
  const cases: readonly [unknown, string, RegExp][] = [
    [new ReposignError('KEY_ACCESS_DENIED', 'refused'), 'AccessDenied', /refused \(KEY_ACCESS_DENIED\)/],
    [new ReposignError('SIGNING_UNAVAILABLE', 'away'), 'Unreachable', /away \(SIGNING_UNAVAILABLE\)/],
    [new ReposignError('SIGNING_TIMEOUT', 'slow'), 'Unreachable', /SIGNING_TIMEOUT/],
    [new ReposignError('KEY_UNSUPPORTED', 'an EC key', { nugetCode: 'NU3014' }), 'KeyRejected', /an EC key \(KEY_UNSUPPORTED, NU3014\)/],
    [new ProviderSettingError('CERTIFICATE_MISMATCH', 'spec.awsKms.certificateSecretRef', 'not the key'), 'KeyRejected', /^spec\.awsKms\.certificateSecretRef: not the key \(CERTIFICATE_MISMATCH\)$/],
    [new ReposignError('INVALID_ARGUMENT', 'bad'), 'InvalidProviderConfig', /INVALID_ARGUMENT/],
    [new Error('socket hang up'), 'Unreachable', /socket hang up/],
  ];
  for (const [error, reason, message] of cases) {
    const verdict = providerFailure(error);
    assert.equal(verdict.ready, false);
    assert.equal(verdict.reason, reason, String(error));
    assert.match(verdict.message, message);
  }
});
