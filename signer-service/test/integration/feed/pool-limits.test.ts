// SPDX-License-Identifier: MIT
// The PostgreSQL pool under more concurrent first downloads than it has connections: every request
// completes (no lock holder waits for a second connection), and a pool kept busy answers 503.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packagesRepository } from '../../../src/db/packages-repository.js';
import { startPostgres } from '../db/postgres-server.js';
import { startTestFeed, testPackage } from './feed-fixture.js';

const POOL_SIZE = 3;

test('more concurrent first downloads of distinct packages than pool connections all complete, on real PostgreSQL', { timeout: 180_000 }, async (t) => {
  const connectionString = await startPostgres(t);
  const feed = await startTestFeed(t, {
    Database__ConnectionString: connectionString,
    Database__MaxConnections: String(POOL_SIZE),
    Signing__SignOnPush: 'false',
  });
  const count = POOL_SIZE * 4;
  const ids = Array.from({ length: count }, (_, i) => `Pool.Package${i}`);
  for (const id of ids) assert.equal((await feed.push(testPackage({ id, version: '1.0.0' }))).statusCode, 201);

  const responses = await Promise.all(ids.map((id) => feed.app.inject(`/v3/flatcontainer/${id.toLowerCase()}/1.0.0/${id.toLowerCase()}.1.0.0.nupkg`)));
  assert.deepEqual(
    responses.map((r) => r.statusCode),
    ids.map(() => 200),
  );
  const packages = packagesRepository(feed.feed.ctx.db);
  for (const id of ids) {
    const record = await packages.find(id.toLowerCase(), '1.0.0');
    assert.ok(record?.signedKey, `${id} is stored signed`);
    assert.equal(record.certificateFingerprint, feed.feed.ctx.signer.certificate.fingerprintSha256);
  }
});

test('a pool that stays busy past the acquisition timeout answers 503 with Retry-After, then recovers', { timeout: 120_000 }, async (t) => {
  const connectionString = await startPostgres(t);
  const feed = await startTestFeed(t, {
    Database__ConnectionString: connectionString,
    Database__MaxConnections: '2',
    Database__AcquireTimeoutSeconds: '0.5',
  });
  assert.equal((await feed.push(testPackage({ id: 'Busy', version: '1.0.0' }))).statusCode, 201);
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const holders = ['a', 'b'].map((name) => feed.feed.ctx.db.withAdvisoryLock(`test:hold:${name}`, () => held));
  // Let both holders take their connections before the request asks for one.
  await new Promise((resolve) => setTimeout(resolve, 200));

  const busy = await feed.app.inject('/v3/registration/busy/index.json');
  assert.equal(busy.statusCode, 503);
  assert.equal(busy.headers['retry-after'], '30');
  assert.equal(busy.json<{ code: string }>().code, 'FEED_DATABASE_BUSY');

  release();
  await Promise.all(holders);
  const after = await feed.app.inject('/v3/registration/busy/index.json');
  assert.equal(after.statusCode, 200);
});
