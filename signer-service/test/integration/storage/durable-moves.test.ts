// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { changedDirectories, fsyncPath, type PathSync } from '../../../src/storage/filesystem/durable-moves.js';
import { FilesystemPackageStore } from '../../../src/storage/filesystem/filesystem-package-store.js';

/** A store whose flushes are recorded, each with whether the moved file was already at its target. */
async function recordingStore(t: TestContext, root: string, target: () => string, fail?: (path: string) => Error | undefined) {
  const flushed: { path: string; targetExists: boolean }[] = [];
  const sync: PathSync = async (path) => {
    flushed.push({ path, targetExists: existsSync(target()) });
    const error = fail?.(path);
    if (error !== undefined) throw error;
    await fsyncPath(path);
  };
  const store = await FilesystemPackageStore.open(root, { sync });
  t.after(() => store.close());
  return { store, flushed };
}

test('the directories a move changes: the target folder, and the parent of each folder mkdir created', () => {
  assert.deepEqual(changedDirectories('/s/packages/a/1.0.0/g1', undefined), ['/s/packages/a/1.0.0/g1']);
  assert.deepEqual(changedDirectories('/s/packages/a/1.0.0/g1', '/s/packages/a/1.0.0/g1'), ['/s/packages/a/1.0.0/g1', '/s/packages/a/1.0.0']);
  assert.deepEqual(changedDirectories('/s/packages/a/1.0.0/g1', '/s/packages/a'), ['/s/packages/a/1.0.0/g1', '/s/packages/a/1.0.0', '/s/packages/a', '/s/packages']);
  assert.deepEqual(changedDirectories('/a', '/a'), ['/a', '/'], 'stops at the root');
});

test('putFile flushes the content before the move and every changed directory after it', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'reposign-durable-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  let key = 'packages/alpha/1.0.0/g1/alpha.1.0.0.nupkg';
  const { store, flushed } = await recordingStore(t, root, () => join(root, ...key.split('/')));
  const source = join(store.tempDir, 'upload.nupkg');
  await writeFile(source, 'first');
  await store.putFile(key, source);
  assert.deepEqual(flushed, [
    { path: source, targetExists: false },
    ...['packages/alpha/1.0.0/g1', 'packages/alpha/1.0.0', 'packages/alpha', 'packages', ''].map((dir) => ({ path: join(root, dir), targetExists: true })),
  ]);
  assert.equal(await readFile(join(root, ...key.split('/')), 'utf8'), 'first');

  flushed.length = 0;
  key = 'packages/alpha/1.0.0/g1/alpha.nuspec';
  await writeFile(source, 'second');
  await store.putFile(key, source);
  assert.deepEqual(flushed, [
    { path: source, targetExists: false },
    { path: join(root, 'packages/alpha/1.0.0/g1'), targetExists: true },
  ], 'an existing folder: only its own entries changed');
});

test('a flush that fails leaves nothing at the target, so nothing is acknowledged', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'reposign-durable-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const key = 'packages/beta/1.0.0/g1/beta.1.0.0.nupkg';
  const target = join(root, ...key.split('/'));
  const eio = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  const { store } = await recordingStore(t, root, () => target, (path) => (path.endsWith('upload.nupkg') ? eio : undefined));
  const source = join(store.tempDir, 'upload.nupkg');
  await writeFile(source, 'bytes');
  await assert.rejects(store.putFile(key, source), (error: unknown) => (error as { code?: string }).code === 'EIO');
  assert.equal(existsSync(target), false);
});

test('a move across file systems is copied, flushed, then renamed into place', async (t) => {
  const otherVolume = '/dev/shm';
  if (!existsSync(otherVolume) || statSync(otherVolume).dev === statSync(tmpdir()).dev) {
    assert.notEqual(process.env['CI'], 'true', `CI needs ${otherVolume} on a file system other than ${tmpdir()}`);
    t.skip(`${otherVolume} is not a separate file system here`);
    return;
  }
  const root = await mkdtemp(join(tmpdir(), 'reposign-durable-'));
  const elsewhere = await mkdtemp(join(otherVolume, 'reposign-durable-'));
  t.after(() => Promise.all([rm(root, { recursive: true, force: true }), rm(elsewhere, { recursive: true, force: true })]));
  const key = 'packages/gamma/1.0.0/g1/gamma.1.0.0.nupkg';
  const target = join(root, ...key.split('/'));
  const { store, flushed } = await recordingStore(t, root, () => target);
  await mkdir(elsewhere, { recursive: true });
  const source = join(elsewhere, 'upload.nupkg');
  await writeFile(source, 'across');
  await store.putFile(key, source);
  assert.equal(await readFile(target, 'utf8'), 'across');
  assert.equal(existsSync(source), false, 'the source is removed once the copy is in place');
  const partial = flushed.find((entry) => entry.path.startsWith(`${target}.`) && entry.path.endsWith('.partial'));
  assert.deepEqual(partial?.targetExists, false, 'the copy is flushed before it is renamed onto the target');
  assert.ok(flushed.some((entry) => entry.path === join(root, 'packages/gamma/1.0.0/g1') && entry.targetExists));
});

test('fsyncPath flushes files and directories, and reports a missing path', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'reposign-durable-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, 'file'), 'x');
  await fsyncPath(join(root, 'file'));
  await fsyncPath(root);
  await assert.rejects(fsyncPath(join(root, 'missing')), (error: unknown) => (error as { code?: string }).code === 'ENOENT');
});
