// SPDX-License-Identifier: MIT
// Every startup failure prints one sentence naming the cause (and the path) and exits non-zero:
// a read-only data folder, a full disk, a damaged embedded database, a port in use, PostgreSQL
// refusing connections.

import assert from 'node:assert/strict';
import { open, readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { freePort, runFeedProcessToExit, startFeedProcess, type FeedExit } from '../helpers/feed-process.js';
import { mountSmallFilesystem } from '../helpers/small-filesystem.js';

const BASE_ENV = { ApiKeys__0: 'k', Signing__TimestampServerUrl: '', Signing__SelfSigned__KeySize: '2048' };

/** The feed's stderr is exactly one line, `reposign: <sentence>`, matching `pattern`. */
function assertOneSentence(exit: FeedExit, pattern: RegExp): void {
  const lines = exit.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${exit.stderr}`);
  assert.match(lines[0] ?? '', /^reposign: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(exit.stderr, /\[object Object\]|Aborted\(\)|^\s+at /m);
}

test('a read-only data folder is named with its cause', { timeout: 120_000 }, async (t) => {
  const dir = await tempDirFor(t, 'startup-ro');
  const readOnly = await mountSmallFilesystem(t, 'ro', { sizeBytes: 1024 * 1024, readOnly: true });
  const storage = join(readOnly, 'data');
  const exit = await runFeedProcessToExit({ ...BASE_ENV, Urls: `http://127.0.0.1:${await freePort()}`, Storage__Path: storage }, dir);
  assert.equal(exit.code, 74);
  assertOneSentence(exit, new RegExp(`Cannot write ${storage}.*read-only`));
});

test('a disk too full to create the database is named with its cause', { timeout: 180_000 }, async (t) => {
  const dir = await tempDirFor(t, 'startup-full');
  const small = await mountSmallFilesystem(t, 'full', { sizeBytes: 2 * 1024 * 1024 });
  const storage = join(small, 'data');
  const exit = await runFeedProcessToExit({ ...BASE_ENV, Urls: `http://127.0.0.1:${await freePort()}`, Storage__Path: storage }, dir, 120_000);
  assert.equal(exit.code, 74);
  assertOneSentence(exit, new RegExp(`Cannot write ${small}.*the disk is full`));
  // Nothing half-made is left where the database goes: the next start on a bigger disk creates it.
  assert.deepEqual((await readdir(storage)).filter((name) => name.startsWith('db')), []);
});

test('a damaged embedded database is named with what to do', { timeout: 240_000 }, async (t) => {
  const dir = await tempDirFor(t, 'startup-damaged');
  const storage = join(dir, 'data');
  const env = { ...BASE_ENV, Urls: `http://127.0.0.1:${await freePort()}`, Storage__Path: storage, ShutdownDrainSeconds: '0' };
  const feed = await startFeedProcess(env, dir, 180_000);
  assert.equal(await feed.stop(), 0);
  // Garble the control file PostgreSQL reads first.
  const control = join(storage, 'db', 'global', 'pg_control');
  const handle = await open(control, 'r+');
  await handle.write(Buffer.alloc((await stat(control)).size, 0x5a), 0, undefined, 0);
  await handle.close();
  const exit = await runFeedProcessToExit(env, dir, 120_000);
  assert.notEqual(exit.code, 0);
  assertOneSentence(exit, new RegExp(`embedded database in ${join(storage, 'db')} cannot be opened.*rebuild-index`));
});

test('a port in use is named', { timeout: 120_000 }, async (t) => {
  const dir = await tempDirFor(t, 'startup-port');
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.after(() => holder.close());
  const port = (holder.address() as { port: number }).port;
  const exit = await runFeedProcessToExit({ ...BASE_ENV, Urls: `http://127.0.0.1:${port}`, Storage__Path: join(dir, 'data') }, dir, 180_000);
  assert.equal(exit.code, 69);
  assertOneSentence(exit, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: another process already listens there`));
});

test('PostgreSQL refusing connections is named', { timeout: 120_000 }, async (t) => {
  const dir = await tempDirFor(t, 'startup-pg');
  const closed = await freePort();
  const exit = await runFeedProcessToExit(
    { ...BASE_ENV, Urls: `http://127.0.0.1:${await freePort()}`, Storage__Path: join(dir, 'data'), Database__ConnectionString: `postgres://feed:secret@127.0.0.1:${closed}/feed` },
    dir,
  );
  assert.equal(exit.code, 69);
  assertOneSentence(exit, new RegExp(`Cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\)`));
  assert.doesNotMatch(exit.stderr, /secret/);
});
