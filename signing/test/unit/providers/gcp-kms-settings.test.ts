// SPDX-License-Identifier: MIT
// GcpKms and GcpHsm settings without I/O: the CRC32C check value, full key names, the GcpHsm
// mapping of ClusterName to the key ring with HSM required, and the algorithms NuGet can use.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Static } from 'typebox';
import { Value } from 'typebox/value';

import { isReposignError } from '../../../src/errors.js';
import { crc32c } from '../../../src/providers/gcp-kms/crc32c.js';
import { algorithmHash } from '../../../src/providers/gcp-kms/gcp-kms-algorithm.js';
import { gcpKmsProvider, GcpKmsSchema } from '../../../src/providers/gcp-kms/gcp-kms-provider.js';
import { gcpHsmProvider, GcpHsmSchema } from '../../../src/providers/gcp-hsm/gcp-hsm-provider.js';
import type { ProviderContext } from '../../../src/providers/signing-provider.js';

const context: ProviderContext = {
  cwd: '/work',
  dataDirectory: '/data',
  home: undefined,
  settingName: (field) => `Signing:GcpKms:${field}`,
  modeSetting: 'Signing:Mode',
  password: { value: 'keys/sa.json', key: 'Signing:GcpKms:ServiceAccountKeyPath' },
  passwordSetting: 'Signing:CertificatePasswordSecret',
};

test('crc32c is Castagnoli', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array()), 0);
});

test('GcpKms takes a full key name, resolves the key file against the working directory and requires HSM by default', () => {
  const config = Value.Default(GcpKmsSchema, { KeyName: 'projects/p-123456/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/4' }) as Static<typeof GcpKmsSchema>;
  const validated = gcpKmsProvider.validate(config, context);
  assert.ok(validated.ok);
  assert.equal(validated.settings.cryptoKey, 'projects/p-123456/locations/global/keyRings/r/cryptoKeys/k');
  assert.equal(validated.settings.version, '4');
  assert.equal(validated.settings.protectionLevel, 'HSM');
  assert.equal(validated.settings.serviceAccountKeyPath, '/work/keys/sa.json');
});

test('GcpKms refuses malformed references', () => {
  const config = Value.Default(GcpKmsSchema, { ProjectId: 'p-123456', Location: 'global', KeyRing: 'r/x', KeyName: 'k', KeyVersion: 'latest', ApiEndpoint: 'https://x' }) as Static<typeof GcpKmsSchema>;
  const validated = gcpKmsProvider.validate(config, context);
  assert.ok(!validated.ok);
  assert.deepEqual(validated.problems.map((problem) => problem.path).sort(), ['ApiEndpoint', 'KeyRing', 'KeyVersion']);
});

test('GcpHsm reads ClusterName as the key ring and always requires HSM', () => {
  const config = Value.Default(GcpHsmSchema, { ProjectId: 'p-123456', Location: 'europe-west1', ClusterName: 'ring', KeyName: 'k' }) as Static<typeof GcpHsmSchema>;
  const validated = gcpHsmProvider.validate(config, context);
  assert.ok(validated.ok);
  assert.equal(validated.settings.cryptoKey, 'projects/p-123456/locations/europe-west1/keyRings/ring/cryptoKeys/k');
  assert.equal(validated.settings.protectionLevel, 'HSM');
  const contradicting = gcpHsmProvider.validate({ ...config, KeyRing: 'other' }, context);
  assert.ok(!contradicting.ok);
  assert.equal(contradicting.problems[0]?.path, 'ClusterName');
  const missing = gcpHsmProvider.validate({ ...config, ClusterName: '' }, context);
  assert.ok(!missing.ok);
  assert.equal(missing.problems[0]?.path, 'ClusterName');
});

test('only RSASSA-PKCS1-v1_5 algorithms sign, each with its fixed hash', () => {
  assert.equal(algorithmHash('RSA_SIGN_PKCS1_4096_SHA512', 'k'), 'SHA512');
  for (const algorithm of ['EC_SIGN_P256_SHA256', 'RSA_SIGN_PSS_2048_SHA256', 'RSA_SIGN_RAW_PKCS1_2048']) {
    assert.throws(() => algorithmHash(algorithm, 'k'), (error) => isReposignError(error, 'KEY_UNSUPPORTED'));
  }
});
