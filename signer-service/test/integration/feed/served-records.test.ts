// SPDX-License-Identifier: MIT
// A download of a package served lately reads no row; what retires a stored object is seen at once,
// and a row whose object outlived it only until the row is 5 s old.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { Database } from '../../../src/db/database.js';
import { packagesRepository } from '../../../src/db/packages-repository.js';
import { storeSignedGeneration } from '../../../src/services/signed-generation.js';
import { API_KEY, startTestFeed, testPackage } from './feed-fixture.js';

/** Counts the queries `db` runs from now on. */
function countQueries(db: Database): { count: () => number } {
  let count = 0;
  const query = db.query.bind(db);
  db.query = (sql, params) => {
    count++;
    return query(sql, params);
  };
  return { count: () => count };
}

const URL = '/v3/flatcontainer/hot.package/1.0.0/hot.package.1.0.0.nupkg';

test('downloading a package again reads no row, and a hard delete, a re-push and a re-signing are served at once', async (t) => {
  const feed = await startTestFeed(t, { PackageDeletesBehavior: 'HardDelete' });
  assert.equal((await feed.push(testPackage({ id: 'Hot.Package', version: '1.0.0', description: 'first' }))).statusCode, 201);
  const first = await feed.app.inject(URL);
  assert.equal(first.statusCode, 200);

  const queries = countQueries(feed.feed.ctx.db);
  const again = await feed.app.inject(URL);
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.rawPayload, first.rawPayload);
  assert.equal(again.headers.etag, first.headers.etag);
  assert.equal(queries.count(), 0, 'the second download read the database');

  // A re-signing (as certificate rotation does) points the row at a new object and removes the old.
  const row = await packagesRepository(feed.feed.ctx.db).find('hot.package', '1.0.0');
  assert.ok(row?.signedKey != null);
  const resigned = await storeSignedGeneration(feed.feed.ctx, feed.feed.ctx.db, { mode: 'rotation', record: { ...row, signedKey: row.signedKey } });
  assert.ok(resigned?.signedKey != null && resigned.signedKey !== row.signedKey);
  assert.equal(await feed.feed.ctx.store.exists(row.signedKey), false, 'the re-signing removed the object served before');
  const afterResigning = await feed.app.inject(URL);
  assert.equal(afterResigning.statusCode, 200);
  assert.deepEqual(afterResigning.rawPayload, await feed.feed.ctx.store.withLocalFile(resigned.signedKey, (path) => readFile(path)));

  const deleted = await feed.app.inject({ method: 'DELETE', url: '/api/v2/package/Hot.Package/1.0.0', headers: { 'x-nuget-apikey': API_KEY } });
  assert.equal(deleted.statusCode, 204);
  assert.equal((await feed.app.inject(URL)).statusCode, 404);
  assert.equal((await feed.push(testPackage({ id: 'Hot.Package', version: '1.0.0', description: 'second' }))).statusCode, 201);
  const repushed = await feed.app.inject(URL);
  assert.equal(repushed.statusCode, 200);
  assert.notEqual(repushed.headers.etag, first.headers.etag);
  assert.equal((await feed.app.inject(URL)).headers.etag, repushed.headers.etag);
});

test('a row whose stored object outlived it (its removal failed) is served only until the row is 5 s old', async (t) => {
  const feed = await startTestFeed(t);
  assert.equal((await feed.push(testPackage({ id: 'Hot.Package', version: '1.0.0' }))).statusCode, 201);
  const now = Date.now();
  t.mock.timers.enable({ apis: ['Date'], now });
  assert.equal((await feed.app.inject(URL)).statusCode, 200);
  // The row goes, the object stays: what a hard delete whose file removal failed leaves.
  await feed.feed.ctx.db.query("DELETE FROM packages WHERE id_lower = 'hot.package'");
  t.mock.timers.setTime(now + 4999);
  assert.equal((await feed.app.inject(URL)).statusCode, 200);
  t.mock.timers.setTime(now + 5000);
  assert.equal((await feed.app.inject(URL)).statusCode, 404);
});
