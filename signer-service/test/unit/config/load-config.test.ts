// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { isFeedError } from '../../../src/errors.js';
import type { SelfSignedSettings } from '@reposign/signing';

test('defaults: localhost:5000, ./data, embedded database, SelfSigned, ReSign, 250 MB', () => {
  const { config, warnings } = loadConfig({ argv: [], env: {}, cwd: '/srv/app' });
  assert.deepEqual(config.listen, [{ protocol: 'http', host: 'localhost', port: 5000 }]);
  assert.equal(config.storagePath, '/srv/app/data');
  assert.equal(config.databaseConnectionString, undefined);
  assert.equal(config.signing.mode, 'SelfSigned');
  assert.equal(config.signing.publishSignaturePolicy, 'ReSign');
  assert.equal(config.signing.timestampServerUrl, 'http://timestamp.digicert.com');
  assert.equal((config.signing.settings as SelfSignedSettings).certificatePath, '/srv/app/data/certs/repository-signing.pfx');
  assert.equal(config.maxPackageSizeBytes, 250 * 1024 * 1024);
  assert.deepEqual(warnings, []);
  assert.ok(Object.isFrozen(config.signing));
});

test('file plus environment: __ nesting, case-insensitive keys, arrays, env wins, keys hashed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'reposign-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'appsettings.json');
  await writeFile(file, JSON.stringify({ Urls: 'http://+:8080', PublicBaseUrl: 'https://feed.example', storage: { path: 'store' }, ApiKeys: ['one', 'two'], Signing: { PublishSignaturePolicy: 'Reject' }, Extra: 1 }));
  const hashed = createHash('sha256').update('three').digest('hex');
  const { config, warnings } = loadConfig({
    argv: ['--config', 'appsettings.json'],
    cwd: dir,
    env: { ApiKeys__1: `sha256:${hashed}`, SIGNING__SELFSIGNED__KEYSIZE: '2048', MaxPackageSizeBytes: '1000', Signing__SignOnPush: 'false', UNRELATED: 'x' },
  });
  assert.deepEqual(config.listen, [{ protocol: 'http', host: '0.0.0.0', port: 8080 }]);
  assert.equal(config.storagePath, join(dir, 'store'));
  assert.equal(config.signing.publishSignaturePolicy, 'Reject');
  assert.equal((config.signing.settings as SelfSignedSettings).keySize, 2048);
  assert.equal(config.signing.signOnPush, false);
  assert.equal(config.maxPackageSizeBytes, 1000);
  assert.deepEqual(
    config.apiKeyHashes.map((hash) => hash.toString('hex')),
    [createHash('sha256').update('one').digest('hex'), hashed],
  );
  assert.deepEqual(warnings, ['Unknown configuration key Extra is ignored.']);
});

test('every problem is reported at once with its key path', () => {
  assert.throws(
    () =>
      loadConfig({
        argv: [],
        cwd: '/',
        env: {
          Urls: 'https://localhost:5001',
          MaxPackageSizeBytes: '0',
          Signing__Mode: 'Magic',
          Database__ConnectionString: 'mysql://x',
          ApiKeys__0: 'sha256:xyz',
        },
      }),
    (error: unknown) => {
      assert.ok(isFeedError(error, 'CONFIG_INVALID'));
      assert.match(error.message, /MaxPackageSizeBytes: must be >= 1/);
      assert.match(error.message, /Signing:Mode: must be one of SelfSigned, StoredCertificate/);
      return true;
    },
  );
  assert.throws(
    () => loadConfig({ argv: [], cwd: '/', env: { Urls: 'https://localhost:5001', Database__ConnectionString: 'mysql://x', ApiKeys__0: 'sha256:xyz', Tls__KeyPath: 'k' } }),
    (error: unknown) => {
      assert.ok(isFeedError(error, 'CONFIG_INVALID'));
      for (const expected of ['ApiKeys:0', 'Tls: CertificatePath and KeyPath', 'Tls: an https address', 'Database:ConnectionString']) assert.ok(error.message.includes(expected), expected);
      return true;
    },
  );
});
