// SPDX-License-Identifier: MIT
// The data folder's lock file: held locks refuse, stale ones (a dead pid on this machine, a silent
// holder on another host) are taken over, and release removes only our own file.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { LOCK_FILE_NAME, lockDataFolder } from '../../../src/db/data-folder-lock.js';
import { isFeedError } from '../../../src/errors.js';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

async function writeHolder(folder: string, holder: { pid: number; host: string; bootId: string }, ageMs = 0): Promise<void> {
  const path = join(folder, LOCK_FILE_NAME);
  await writeFile(path, JSON.stringify({ ...holder, startTicks: '', token: 'someone-else' }));
  const then = new Date(Date.now() - ageMs);
  await utimes(path, then, then);
}

test('a held lock refuses a second holder, naming the pid and host; release lets the next one in', async (t) => {
  const folder = await tempDirFor(t, 'lock-held');
  const lock = await lockDataFolder(folder);
  await assert.rejects(lockDataFolder(folder), (error: unknown) => {
    assert.ok(isFeedError(error, 'FEED_DATA_FOLDER_IN_USE'));
    assert.match(error.message, new RegExp(`in use by process ${process.pid} on host ${hostname()}`));
    return true;
  });
  await lock.release();
  const again = await lockDataFolder(folder);
  await again.release();
});

test('a lock of a dead process on this machine is taken over', async (t) => {
  const folder = await tempDirFor(t, 'lock-dead');
  await writeHolder(folder, { pid: deadPid(), host: hostname(), bootId });
  const lock = await lockDataFolder(folder);
  assert.equal((JSON.parse(await readFile(lock.path, 'utf8')) as { pid: number }).pid, process.pid);
  await lock.release();
});

test('another host: a refreshed lock refuses, a silent one is taken over', async (t) => {
  const folder = await tempDirFor(t, 'lock-remote');
  await writeHolder(folder, { pid: 1, host: 'feed-0', bootId: 'other-boot' });
  await assert.rejects(lockDataFolder(folder), /in use by process 1 on host feed-0/);
  await writeHolder(folder, { pid: 1, host: 'feed-0', bootId: 'other-boot' }, 120_000);
  const lock = await lockDataFolder(folder);
  await lock.release();
});

test('release leaves a lock that another process took over', async (t) => {
  const folder = await tempDirFor(t, 'lock-release');
  const lock = await lockDataFolder(folder);
  await writeHolder(folder, { pid: 1, host: 'feed-1', bootId: 'other-boot' });
  await lock.release();
  assert.match(await readFile(join(folder, LOCK_FILE_NAME), 'utf8'), /feed-1/);
});
