// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packagesRepository } from '../../../src/db/packages-repository.js';
import { httpStatusOf, isFeedError } from '../../../src/errors.js';
import { publishPackage } from '../../../src/services/publish-service.js';
import { FilesystemPackageStore } from '../../../src/storage/filesystem/filesystem-package-store.js';
import { startTestFeed, testPackage } from './feed-fixture.js';

test('a push whose flush to the disk fails gets 503 FEED_STORAGE_UNAVAILABLE, stores and indexes nothing; the retry is published', async (t) => {
  const feed = await startTestFeed(t);
  const { ctx } = feed.feed;
  const eio = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  const failing = await FilesystemPackageStore.open(feed.storage, {
    sync: async () => {
      throw eio;
    },
  });
  t.after(() => failing.close());
  const bytes = testPackage({ id: 'Flush.Fails', version: '1.0.0' });

  const error: unknown = await publishPackage({ ...ctx, store: failing }, { kind: 'memory', bytes, sizeBytes: bytes.length }).then(
    () => assert.fail('published although its file was never flushed'),
    (caught: unknown) => caught,
  );
  assert.ok(isFeedError(error, 'FEED_STORAGE_UNAVAILABLE'), String(error));
  assert.equal(httpStatusOf(error), 503);
  assert.equal(await packagesRepository(ctx.db).exists('flush.fails', '1.0.0'), false, 'no row');
  const files = await readdir(join(feed.storage, 'packages', 'flush.fails'), { recursive: true }).catch((): string[] => []);
  assert.deepEqual(files.filter((name) => name.endsWith('.nupkg')), [], 'no package file');
  assert.deepEqual(await readdir(failing.tempDir), [], 'no scratch copy left');

  const retry = await feed.push(bytes);
  assert.equal(retry.statusCode, 201);
  assert.equal(await packagesRepository(ctx.db).exists('flush.fails', '1.0.0'), true);
});
