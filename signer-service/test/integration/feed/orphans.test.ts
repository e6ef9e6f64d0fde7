// SPDX-License-Identifier: MIT
// What killed processes leave behind is swept when the feed starts: scratch folders of processes
// that are gone, and generation-keyed package files no row references. Packages dropped by hand
// are imported, not swept; live scratch folders are kept; a re-push keeps one copy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { startTestFeed, testPackage } from './feed-fixture.js';

/** A pid that ran and exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function scratchFolder(storage: string, owner: { host: string; pid: number } | undefined): Promise<string> {
  const name = randomUUID();
  await mkdir(join(storage, 'tmp', name), { recursive: true });
  await writeFile(join(storage, 'tmp', name, 'upload.nupkg'), 'partial upload');
  if (owner !== undefined) await writeFile(join(storage, 'tmp', `${name}.owner.json`), JSON.stringify(owner));
  return name;
}

async function placeFile(storage: string, key: string, bytes: Buffer, ageMs = 0): Promise<void> {
  const path = join(storage, ...key.split('/'));
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, bytes);
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    await utimes(path, then, then);
  }
}

async function filesUnder(storage: string, prefix: string): Promise<string[]> {
  const names = await readdir(join(storage, ...prefix.split('/')), { recursive: true, withFileTypes: true }).catch(() => []);
  return names.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(storage.length + 1).split('\\').join('/'));
}

test('startup sweeps dead scratch folders and unreferenced generations; dropped packages are imported; re-pushes keep one copy', { timeout: 300_000 }, async (t) => {
  const storage = await tempDirFor(t, 'orphans');
  // A feed that already holds a package (an empty database beside stored generations is a lost
  // database, which the feed refuses to start on).
  await t.test('first run', async (first) => {
    const feed = await startTestFeed(first, {}, { storage });
    assert.equal((await feed.push(testPackage({ id: 'Kept.Pkg', version: '1.0.0' }))).statusCode, 201);
  });
  const keptFiles = await filesUnder(storage, 'packages/kept.pkg');
  assert.equal(keptFiles.length, 1);
  const dead = await scratchFolder(storage, { host: hostname(), pid: deadPid() });
  const otherHost = await scratchFolder(storage, { host: 'another-replica', pid: 1 });
  const legacy = await scratchFolder(storage, undefined);
  const orphanKey = `packages/orphan.pkg/1.0.0/${randomUUID()}/orphan.pkg.1.0.0.nupkg`;
  await placeFile(storage, orphanKey, testPackage({ id: 'Orphan.Pkg', version: '1.0.0' }));
  const droppedKey = 'packages/dropped.pkg/1.0.0/dropped.pkg.1.0.0.nupkg';
  await placeFile(storage, droppedKey, testPackage({ id: 'Dropped.Pkg', version: '1.0.0' }));

  const feed = await startTestFeed(t, {}, { storage });
  const scratch = await readdir(join(storage, 'tmp'));
  assert.ok(!scratch.includes(dead) && !scratch.includes(`${dead}.owner.json`), 'the folder of a process that is gone is removed');
  assert.ok(scratch.includes(otherHost), "another host's live folder is kept");
  assert.ok(scratch.includes(legacy), 'a recent folder without an owner file is kept');
  assert.deepEqual(await filesUnder(storage, 'packages/orphan.pkg'), [], 'the unreferenced signed copy is swept');
  assert.deepEqual(feed.feed.imported.imported, [droppedKey], 'the dropped package is imported');
  assert.deepEqual(await filesUnder(storage, 'packages/dropped.pkg'), [droppedKey]);
  assert.deepEqual(await filesUnder(storage, 'packages/kept.pkg'), keptFiles, 'referenced packages stay');

  // The re-push of the swept version stores exactly one copy.
  assert.equal((await feed.push(testPackage({ id: 'Orphan.Pkg', version: '1.0.0' }))).statusCode, 201);
  assert.equal((await filesUnder(storage, 'packages/orphan.pkg')).length, 1);

  // An orphan that appears while the feed runs (another replica's crash) goes with the next push of its version.
  const late = `packages/late.pkg/2.0.0/${randomUUID()}/late.pkg.2.0.0.nupkg`;
  await placeFile(storage, late, testPackage({ id: 'Late.Pkg', version: '2.0.0' }), 60_000);
  assert.equal((await feed.push(testPackage({ id: 'Late.Pkg', version: '2.0.0' }))).statusCode, 201);
  const kept = await filesUnder(storage, 'packages/late.pkg');
  assert.equal(kept.length, 1);
  assert.notEqual(kept[0], late);
  const download = await feed.app.inject({ method: 'GET', url: '/v3/flatcontainer/late.pkg/2.0.0/late.pkg.2.0.0.nupkg' });
  assert.equal(download.statusCode, 200);
});

test('a first push killed before its commit leaves an orphan that is swept, not a database taken for lost', { timeout: 120_000 }, async (t) => {
  const storage = await tempDirFor(t, 'orphans-first-push');
  await t.test('the feed is created, then its first push dies after moving the file in', async (first) => {
    await startTestFeed(first, {}, { storage });
    await placeFile(storage, `packages/first.pkg/1.0.0/${randomUUID()}/first.pkg.1.0.0.nupkg`, testPackage({ id: 'First.Pkg', version: '1.0.0' }));
  });
  const feed = await startTestFeed(t, {}, { storage });
  assert.deepEqual(await filesUnder(storage, 'packages/first.pkg'), [], 'the uncommitted file is swept');
  assert.equal((await feed.push(testPackage({ id: 'First.Pkg', version: '1.0.0' }))).statusCode, 201);
});
