// SPDX-License-Identifier: MIT
// The failure policy: SelfSigned with AllowUnsignedOnFailure publishes unsigned when signing fails
// (and the index stops claiming allRepositorySigned); StoredCertificate always fails the upload.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repositorySignatures } from '../../../src/services/certificate-service.js';
import { createSelfSigned, exportPfx } from '../../../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { startTestFeed, testPackage } from './feed-fixture.js';

const UNREACHABLE_TSA = 'http://127.0.0.1:9/tsa';

test('SelfSigned with AllowUnsignedOnFailure: a failed signing publishes unsigned and allRepositorySigned turns false', async (t) => {
  const feed = await startTestFeed(t, { Signing__TimestampServerUrl: UNREACHABLE_TSA, Signing__AllowUnsignedOnFailure: 'true' });
  const response = await feed.push(testPackage({ id: 'Fallback', version: '1.0.0' }));
  assert.equal(response.statusCode, 201, response.body);
  assert.equal((await repositorySignatures(feed.feed.ctx)).allRepositorySigned, false);
  const download = await feed.app.inject('/v3/flatcontainer/fallback/1.0.0/fallback.1.0.0.nupkg');
  assert.equal(download.statusCode, 200, 'served unsigned, as configured');
  assert.deepEqual(download.rawPayload, testPackage({ id: 'Fallback', version: '1.0.0' }), 'the bytes as pushed');
});

test('SelfSigned by default, and StoredCertificate always: a failed signing fails the upload with 503', async (t) => {
  const dir = await tempDirFor(t, 'failure-policy');
  const pfx = await exportPfx(await createSelfSigned(dir, { subject: 'Policy Stored', keyBits: 2048 }), { password: 'pw', legacy: false, fileName: 'p.pfx' });
  const configurations: Record<string, string>[] = [
    { Signing__TimestampServerUrl: UNREACHABLE_TSA },
    { Signing__TimestampServerUrl: UNREACHABLE_TSA, Signing__Mode: 'StoredCertificate', Signing__StoredCertificate__FilePath: pfx, Signing__StoredCertificate__Password: 'pw' },
  ];
  for (const env of configurations) {
    const feed = await startTestFeed(t, env);
    const response = await feed.push(testPackage({ id: 'NoFallback', version: '1.0.0' }));
    assert.equal(response.statusCode, 503, response.body);
    assert.match((JSON.parse(response.body) as { message: string }).message, /does not publish or serve unsigned packages in this signing mode/);
    assert.equal((await feed.app.inject('/v3/flatcontainer/nofallback/index.json')).statusCode, 404);
  }
});
