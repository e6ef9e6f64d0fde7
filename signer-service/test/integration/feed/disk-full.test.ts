// SPDX-License-Identifier: MIT
// A full volume is the server's fault: a real 2 MB tmpfs holds the feed's storage; pushes that do
// not fit get 503 FEED_STORAGE_FULL with Retry-After, whether the upload or the signed copy runs
// out of space, and nothing stays behind; once space is freed the same push succeeds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../../src/db/open-database.js';
import type { ErrorBody } from './documents.js';
import { startTestFeed, testPackage } from './feed-fixture.js';

/** Mounts a tmpfs of `size` at `dir`; returns the reason when this machine cannot (not root, no mount). */
function mountTmpfs(dir: string, size: string): string | undefined {
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) return `mount -t tmpfs failed: ${(mounted.stderr || mounted.error?.message || '').trim()}`;
  return undefined;
}

async function leftovers(storage: string): Promise<string[]> {
  const names = await readdir(storage, { recursive: true });
  // The persisted self-signed certificate and the scratch folders' owner files are expected.
  return names.filter((name) => name.endsWith('.nupkg') || (name.startsWith('tmp/') && name.split('/').length > 2));
}

test('disk full during upload or signing: 503 FEED_STORAGE_FULL, nothing stored, retry succeeds after space is freed', { timeout: 300_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'reposign-disk-full-'));
  const storage = join(root, 'storage');
  await mkdir(storage);
  // Registered first, so it runs after the feed (registered later) has closed: unmount, then remove.
  t.after(async () => {
    spawnSync('umount', ['-l', storage]);
    await rm(root, { recursive: true, force: true });
  });
  const reason = mountTmpfs(storage, '1m');
  if (reason !== undefined) {
    assert.notEqual(process.env['CI'], 'true', `CI runs as root and must mount: ${reason}`);
    t.skip(reason);
    return;
  }
  // The database lives elsewhere: this test is about package storage.
  await mkdir(join(root, 'database'));
  const database = await openDatabase({ connectionString: undefined, storagePath: join(root, 'database'), pool: { maxConnections: 2, acquireTimeoutMs: 10_000 } });
  const feed = await startTestFeed(t, { MaxPackageSizeBytes: String(16 * 1024 * 1024) }, { storage, database });
  t.after(() => database.close());

  const expectFull = async (nupkg: Buffer, id: string): Promise<void> => {
    const response = await feed.push(nupkg);
    assert.equal(response.statusCode, 503, response.body);
    assert.ok(response.headers['retry-after'], 'a 503 carries Retry-After');
    const body = JSON.parse(response.body) as ErrorBody;
    assert.equal(body.code, 'FEED_STORAGE_FULL');
    assert.match(body.message, /storage is full \(ENOSPC\)/);
    assert.doesNotMatch(body.message, /sign/i, 'a full disk is not blamed on signing');
    assert.ok(!body.message.includes(root), `no server path in '${body.message}'`);
    const index = await feed.app.inject({ method: 'GET', url: `/v3/flatcontainer/${id.toLowerCase()}/index.json` });
    assert.equal(index.statusCode, 404, 'nothing listed');
    assert.deepEqual(await leftovers(storage), [], 'nothing half-written');
  };

  const resize = (size: string): void => {
    const resized = spawnSync('mount', ['-o', `remount,size=${size}`, storage], { encoding: 'utf8' });
    assert.equal(resized.status, 0, resized.stderr);
  };
  // A large upload goes to a scratch file on the volume, which does not fit.
  const big = testPackage({ id: 'Full.Upload', version: '1.0.0', paddingBytes: 3 * 1024 * 1024 });
  await expectFull(big, 'Full.Upload');
  // A small upload is received into memory; its signed copy does not fit.
  const medium = testPackage({ id: 'Full.Signing', version: '1.0.0', paddingBytes: 1200 * 1024 });
  await expectFull(medium, 'Full.Signing');
  // A large upload fits as a scratch file, its signed copy beside it does not.
  resize('5m');
  const beside = testPackage({ id: 'Full.Beside', version: '1.0.0', paddingBytes: 3 * 1024 * 1024 });
  await expectFull(beside, 'Full.Beside');

  // Free space (grow the volume) and push the same bytes again.
  resize('32m');
  for (const [nupkg, id] of [[big, 'full.upload'], [medium, 'full.signing'], [beside, 'full.beside']] as const) {
    assert.equal((await feed.push(nupkg)).statusCode, 201);
    const download = await feed.app.inject({ method: 'GET', url: `/v3/flatcontainer/${id}/1.0.0/${id}.1.0.0.nupkg` });
    assert.equal(download.statusCode, 200);
    assert.ok(download.rawPayload.length > nupkg.length, 'served signed (a signature entry was added)');
  }
});
