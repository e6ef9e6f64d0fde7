// SPDX-License-Identifier: MIT
// The remote modes' credential directories: private, named for their process, and those of operator
// processes that were killed are removed by the next process's first pass, no others.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
