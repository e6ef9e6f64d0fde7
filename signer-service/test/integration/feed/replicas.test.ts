// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { certificatesRepository } from '../../../src/db/certificates-repository.js';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { startPostgres } from '../db/postgres-server.js';
import { startTestFeed, testPackage } from './feed-fixture.js';

test('two replicas on one PostgreSQL and one storage: concurrent first downloads sign once', { timeout: 180_000 }, async (t) => {
  const connectionString = await startPostgres(t);
  const storage = await tempDirFor(t, 'replicas');
  const env = { Database__ConnectionString: connectionString, Signing__SignOnPush: 'false' };
  const one = await startTestFeed(t, env, { storage });
  const two = await startTestFeed(t, env, { storage });
  assert.equal(one.feed.ctx.signer.certificate.fingerprintSha256, two.feed.ctx.signer.certificate.fingerprintSha256, 'both use the one persisted certificate');
  assert.equal((await one.push(testPackage({ id: 'Shared', version: '1.0.0', paddingBytes: 100_000 }))).statusCode, 201);

  const url = '/v3/flatcontainer/shared/1.0.0/shared.1.0.0.nupkg';
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).app.inject(url)));
  assert.deepEqual(new Set(responses.map((r) => r.statusCode)), new Set([200]));
  assert.equal(new Set(responses.map((r) => r.rawPayload.toString('base64'))).size, 1);
  const signings = await certificatesRepository(one.feed.ctx.db).signings(one.feed.ctx.signer.certificate.fingerprintSha256);
  assert.equal(signings.length, 1, 'one signing across both replicas');
});
