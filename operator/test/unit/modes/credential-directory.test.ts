// SPDX-License-Identifier: MIT
// The remote modes' credential directories: private, named for their process, and those of operator
// processes that were killed are removed by the next process's first pass, no others.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { credentialDirectory } from '../../../src/modes/credential-directory.js';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid ?? 0;
}

async function leaveDirectory(root: string, name: string): Promise<void> {
  await mkdir(join(root, name));
  await writeFile(join(root, name, 'credentials.json'), '{"private_key":"..."}', { mode: 0o600 });
}

test('the first pass removes the directories of operators that are gone, and only those', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'credential-directory-test-'));
  const running = spawn('sleep', ['60']);
  t.after(async () => {
    running.kill();
    await rm(root, { recursive: true, force: true });
  });
  const dead = await deadPid();
  const kept = [
    `reposign-operator-${running.pid}-live00`,
    `reposign-operator-${process.pid}-other0`,
    'reposign-operator-noPid0',
    `unrelated-${dead}-dir000`,
  ];
  for (const name of [`reposign-operator-${dead}-killed`, ...kept]) await leaveDirectory(root, name);

  const made = await credentialDirectory(root);

  assert.match(made, new RegExp(`/reposign-operator-${process.pid}-[^/]+$`));
  assert.equal((await stat(made)).mode & 0o777, 0o700, 'readable by the operator alone');
  const left = await readdir(root);
  assert.deepEqual(left.filter((name) => name !== made.slice(root.length + 1)).sort(), [...kept].sort());

  // Later passes do not walk the directory again: one process sweeps once.
  const later = `reposign-operator-${await deadPid()}-later0`;
  await leaveDirectory(root, later);
  await credentialDirectory(root);
  assert.ok((await readdir(root)).includes(later));
});

test('passes that start together share one sweep and each get a directory of their own', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'credential-directory-test-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dead = await deadPid();
  for (let i = 0; i < 3; i++) await leaveDirectory(root, `reposign-operator-${dead}-stale${i}`);

  // More passes at once than there are stale directories, all before the sweep has finished.
  const made = await Promise.all(Array.from({ length: 12 }, () => credentialDirectory(root)));

  assert.equal(new Set(made).size, made.length, 'every pass has its own directory');
  assert.deepEqual((await readdir(root)).sort(), made.map((dir) => dir.slice(root.length + 1)).sort(), 'only the new directories are left');
});

test('a root that cannot be used fails the pass with the system error, and the next pass tries again', async (t) => {
  const root = join(await mkdtemp(join(tmpdir(), 'credential-directory-test-')), 'not-yet');
  t.after(() => rm(dirname(root), { recursive: true, force: true }));
  await assert.rejects(credentialDirectory(root), { code: 'ENOENT' });
  await mkdir(root);
  const made = await credentialDirectory(root);
  assert.equal((await stat(made)).isDirectory(), true);
});
