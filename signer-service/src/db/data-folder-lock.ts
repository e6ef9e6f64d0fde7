// SPDX-License-Identifier: MIT
// One process per embedded data folder. PGlite keeps the database in the process's memory and
// writes it back to the folder, so two processes on one folder each see only their own writes and
// overwrite the other's. Node has no flock(2), so the lock is a file created with O_EXCL that names
// its holder; a lock left by a killed process is recognised (its pid is gone, or it stopped
// refreshing the file) and taken over.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, unlink, utimes, writeFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FeedError } from '../errors.js';
import { isProcessRunning } from '../process-liveness.js';

/** The lock file's name inside the storage folder. */
export const LOCK_FILE_NAME = 'reposign.lock';

/** How often the holder refreshes the file's mtime, and after how long without a refresh another host may take it over. */
const HEARTBEAT_MS = 10_000;
const STALE_AFTER_MS = 60_000;

/** Who holds the lock, as written in the file. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  /** The kernel's boot id: the same pid after a reboot is another process. */
  readonly bootId: string;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22): tells a reused pid apart. */
  readonly startTicks: string;
  readonly token: string;
}

/** A held lock; `release` removes the file if it is still ours. */
export interface DataFolderLock {
  readonly path: string;
  release(): Promise<void>;
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
function startTicksOf(pid: number): string {
  const stat = readOptional(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

function currentHolder(token: string): Holder {
  return { pid: process.pid, host: hostname(), bootId: readOptional('/proc/sys/kernel/random/boot_id'), startTicks: startTicksOf(process.pid), token };
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string'
      ? { pid: value.pid, host: value.host, bootId: value.bootId ?? '', startTicks: value.startTicks ?? '', token: value.token }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder still runs. On this machine (same host name and boot id) its pid and start
 * time decide at once; a holder on another host is alive while it keeps refreshing the file.
 */
function holderAlive(holder: Holder | undefined, me: Holder, modifiedMs: number): boolean {
  if (holder !== undefined && holder.host === me.host && holder.bootId === me.bootId) {
    // The start time tells a reused pid apart, including our own pid from an earlier life (pid 1 of a restarted container).
    return isProcessRunning(holder.pid) && (holder.startTicks === '' || holder.startTicks === startTicksOf(holder.pid));
  }
  return Date.now() - modifiedMs < STALE_AFTER_MS;
}

function inUse(folder: string, holder: Holder | undefined): FeedError {
  const who = holder === undefined ? 'another process' : `process ${holder.pid} on host ${holder.host}`;
  return new FeedError(
    'FEED_DATA_FOLDER_IN_USE',
    `The data folder ${folder} is in use by ${who} (lock file ${join(folder, LOCK_FILE_NAME)}); the embedded database allows one process per folder, so stop that process or use PostgreSQL (Database:ConnectionString) to run several.`,
  );
}

/**
 * Takes the lock on `folder` (which must exist). Throws FEED_DATA_FOLDER_IN_USE when a live process
 * holds it; removes a stale lock first.
 */
export async function lockDataFolder(folder: string): Promise<DataFolderLock> {
  const path = join(folder, LOCK_FILE_NAME);
  const me = currentHolder(randomUUID());
  const content = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, content, { flag: 'wx', mode: 0o644 });
      return held(path, me);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const [text, modified] = await Promise.all([readFile(path, 'utf8').catch(() => undefined), stat(path).catch(() => undefined)]);
    if (text === undefined || modified === undefined) continue; // released meanwhile
    const holder = parseHolder(text);
    // A half-written lock (its writer died between create and write) is only stale once it is old.
    if (holderAlive(holder, me, modified.mtimeMs)) throw inUse(folder, holder);
    // Move the stale file aside, then check that what moved is what was judged stale: another
    // process may have taken the lock over in between, and its lock must not be removed.
    const aside = `${path}.stale-${me.token}`;
    await rename(path, aside).catch(() => undefined);
    const moved = await readFile(aside, 'utf8').catch(() => undefined);
    if (moved !== undefined && moved !== text) {
      await rename(aside, path);
      throw inUse(folder, parseHolder(moved));
    }
    await unlink(aside).catch(() => undefined);
  }
  throw inUse(folder, undefined);
}

function held(path: string, me: Holder): DataFolderLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(path, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text !== undefined && parseHolder(text)?.token === me.token) await unlink(path).catch(() => undefined);
    },
  };
}
