// SPDX-License-Identifier: MIT
// Package storage in a local (or mounted) directory.

import { randomUUID } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { copyFile, mkdir, open as openFile, readdir, readFile, rename, rm, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { FeedError } from '../../errors.js';
import { isProcessRunning } from '../../process-liveness.js';
import type { PackageStore, StoredObject } from '../package-store.js';
import { changedDirectories, fsyncPath, type PathSync } from './durable-moves.js';
import { sendFile } from './file-sender.js';

/** A scratch folder without an owner file (left by an older version) is removed after a day. */
const STALE_SCRATCH_MS = 24 * 60 * 60 * 1000;
/** Each process touches its owner file this often... */
const HEARTBEAT_MS = 60 * 1000;
/** ...so an owner file untouched this long belongs to a process that is gone (on any host). */
const DEAD_OWNER_MS = 10 * 60 * 1000;
/** The owner file sits beside the folder (`<folder>.owner.json`), so the folder holds only scratch files. */
const OWNER_SUFFIX = '.owner.json';

/** Who owns a scratch folder: written by the process when it creates the folder. */
interface ScratchOwner {
  readonly host: string;
  readonly pid: number;
  /** Tells this process from an earlier one that had the same pid. */
  readonly process: string;
}

/** This process's token: stores opened in it (replicas in one test process) never sweep each other. */
const PROCESS_TOKEN = randomUUID();

/**
 * True when the scratch folder `dir` belongs to a process that is gone: one of this host whose pid
 * no longer runs (or is this process's pid, reused after a restart: another token), or one whose heartbeat stopped.
 */
async function isAbandoned(dir: string, now: number): Promise<boolean> {
  const ownerPath = `${dir}${OWNER_SUFFIX}`;
  const [text, info] = await Promise.all([readFile(ownerPath, 'utf8').catch(() => undefined), stat(ownerPath).catch(() => undefined)]);
  if (text === undefined || info === undefined) {
    const folder = await stat(dir).catch(() => undefined);
    return folder !== undefined && now - folder.mtimeMs > STALE_SCRATCH_MS;
  }
  if (now - info.mtimeMs > DEAD_OWNER_MS) return true;
  let owner: Partial<ScratchOwner>;
  try {
    owner = JSON.parse(text) as Partial<ScratchOwner>;
  } catch {
    return true;
  }
  if (owner.host !== hostname() || typeof owner.pid !== 'number') return false;
  return owner.pid === process.pid ? owner.process !== PROCESS_TOKEN : !isProcessRunning(owner.pid);
}

/** Storage under `root`; uploads stage in `root/tmp/<process folder>` so that moves in are renames. */
export class FilesystemPackageStore implements PackageStore {
  readonly tempDir: string;
  private heartbeat: NodeJS.Timeout | undefined;

  private constructor(
    private readonly root: string,
    private readonly sync: PathSync,
  ) {
    // One scratch folder per process: replicas share the volume, never each other's uploads.
    this.tempDir = join(root, 'tmp', randomUUID());
  }

  /**
   * Creates the directories and removes the scratch folders of processes that are gone (uploads
   * and signed copies a killed process left behind), then claims this process's own. `sync`
   * flushes a path to the disk (fsync); tests pass one that records what was flushed.
   */
  static async open(root: string, options: { readonly sync?: PathSync } = {}): Promise<FilesystemPackageStore> {
    const store = new FilesystemPackageStore(root, options.sync ?? fsyncPath);
    const scratch = join(root, 'tmp');
    const now = Date.now();
    const names = await readdir(scratch).catch((): string[] => []);
    for (const name of names) {
      const dir = join(scratch, name);
      if (name.endsWith(OWNER_SUFFIX)) {
        // An owner file whose folder is gone (a crash between removing the two).
        if (!names.includes(name.slice(0, -OWNER_SUFFIX.length))) await rm(dir, { force: true });
      } else if (await isAbandoned(dir, now)) {
        await rm(dir, { recursive: true, force: true });
        await rm(`${dir}${OWNER_SUFFIX}`, { force: true });
      }
    }
    // The owner first: a folder is never without one, however the process dies.
    const ownerPath = `${store.tempDir}${OWNER_SUFFIX}`;
    await mkdir(scratch, { recursive: true });
    await writeFile(ownerPath, JSON.stringify({ host: hostname(), pid: process.pid, process: PROCESS_TOKEN } satisfies ScratchOwner));
    await mkdir(store.tempDir);
    store.heartbeat = setInterval(() => {
      const at = new Date();
      void utimes(ownerPath, at, at).catch(() => undefined);
    }, HEARTBEAT_MS).unref();
    return store;
  }

  /** Removes this process's scratch folder. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await rm(this.tempDir, { recursive: true, force: true });
    await rm(`${this.tempDir}${OWNER_SUFFIX}`, { force: true });
  }

  private path(key: string): string {
    const path = join(this.root, ...key.split('/'));
    if (relative(this.root, path).startsWith('..') || key.includes('\\')) {
      throw new FeedError('FEED_STORAGE_FAILED', `Storage key '${key}' leaves the storage root.`);
    }
    return path;
  }

  /**
   * Moves `sourcePath` in under `key`, durably: the content is flushed before the move and the
   * directory entries after it, so a package acknowledged once this returns survives a power loss.
   */
  async putFile(key: string, sourcePath: string): Promise<void> {
    const target = this.path(key);
    const directory = dirname(target);
    const firstCreated = await mkdir(directory, { recursive: true });
    try {
      await this.sync(sourcePath);
      await rename(sourcePath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // Across volumes: copy next to the target, then rename, so readers never see a partial file.
      const partial = `${target}.${randomUUID()}.partial`;
      await copyFile(sourcePath, partial);
      await this.sync(partial);
      await rename(partial, target);
      await unlink(sourcePath);
    }
    await Promise.all(changedDirectories(directory, firstCreated).map((path) => this.sync(path)));
  }

  async open(key: string): Promise<StoredObject | undefined> {
    const path = this.path(key);
    // Open first and stat the handle, so a concurrent delete cannot split the two.
    const handle = await openFile(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (handle === undefined) return undefined;
    // Synchronous: the open loaded the inode, so fstat only copies it out, and a download does not
    // wait a second time for a thread-pool turn (milliseconds each during a push burst).
    let size: number;
    try {
      ({ size } = fstatSync(handle.fd));
    } catch (error) {
      await handle.close();
      throw error;
    }
    return { size, writeTo: (destination) => sendFile(handle, size, destination), close: () => handle.close() };
  }

  async withLocalFile<T>(key: string, work: (path: string) => Promise<T>): Promise<T> {
    return work(this.path(key));
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      (info) => info.isFile(),
      () => false,
    );
  }

  async stat(key: string): Promise<{ size: number; modifiedMs: number } | undefined> {
    const info = await stat(this.path(key)).catch(() => undefined);
    return info?.isFile() === true ? { size: info.size, modifiedMs: info.mtimeMs } : undefined;
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    await rm(path, { force: true });
    // Remove emptied directories up to (not including) the root, best effort.
    let dir = dirname(path);
    while (dir.startsWith(this.root + sep) && dir !== this.root) {
      const removed = await rmdir(dir).then(
        () => true,
        () => false,
      );
      if (!removed) break;
      dir = dirname(dir);
    }
  }

  async list(prefix: string, depths: readonly number[]): Promise<string[]> {
    const deepest = Math.max(0, ...depths);
    const walk = async (dir: string, depth: number): Promise<string[]> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const nested = await Promise.all(
        entries.map(async (entry) => {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) return depth < deepest ? walk(full, depth + 1) : [];
          return entry.isFile() && depths.includes(depth) ? [relative(this.root, full).split(sep).join('/')] : [];
        }),
      );
      return nested.flat();
    };
    return walk(this.path(prefix), 1);
  }
}
