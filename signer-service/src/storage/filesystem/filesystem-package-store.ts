// SPDX-License-Identifier: MIT
// Package storage in a local (or mounted) directory.

import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open as openFile, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { FeedError } from '../../errors.js';
import type { PackageStore, StoredObject } from '../package-store.js';

const STALE_SCRATCH_MS = 24 * 60 * 60 * 1000;

/** Storage under `root`; uploads stage in `root/tmp` so that moves in are renames. */
export class FilesystemPackageStore implements PackageStore {
  readonly tempDir: string;

  private constructor(private readonly root: string) {
    // One scratch folder per process: replicas share the volume, never each other's uploads.
    this.tempDir = join(root, 'tmp', randomUUID());
  }

  /** Creates the directories and removes scratch folders that processes left a day or more ago. */
  static async open(root: string): Promise<FilesystemPackageStore> {
    const store = new FilesystemPackageStore(root);
    const scratch = join(root, 'tmp');
    const cutoff = Date.now() - STALE_SCRATCH_MS;
    for (const name of await readdir(scratch).catch(() => [])) {
      const info = await stat(join(scratch, name)).catch(() => undefined);
      if (info !== undefined && info.mtimeMs < cutoff) await rm(join(scratch, name), { recursive: true, force: true });
    }
    await mkdir(store.tempDir, { recursive: true });
    return store;
  }

  /** Removes this process's scratch folder. */
  async close(): Promise<void> {
    await rm(this.tempDir, { recursive: true, force: true });
  }

  private path(key: string): string {
    const path = join(this.root, ...key.split('/'));
    if (relative(this.root, path).startsWith('..') || key.includes('\\')) {
      throw new FeedError('FEED_STORAGE_FAILED', `Storage key '${key}' leaves the storage root.`);
    }
    return path;
  }

  async putFile(key: string, sourcePath: string): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(sourcePath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // Across volumes: copy next to the target, then rename, so readers never see a partial file.
      const partial = `${target}.${randomUUID()}.partial`;
      await copyFile(sourcePath, partial);
      await rename(partial, target);
      await unlink(sourcePath);
    }
  }

  async open(key: string): Promise<StoredObject | undefined> {
    const path = this.path(key);
    // Open first and stat the handle, so a concurrent delete cannot split the two.
    const handle = await openFile(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (handle === undefined) return undefined;
    const { size } = await handle.stat();
    const stream = createReadStream('', { fd: handle, autoClose: true, highWaterMark: 256 * 1024 });
    return { stream, size };
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

  async list(prefix: string, depth: number): Promise<string[]> {
    const walk = async (dir: string, left: number): Promise<string[]> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const nested = await Promise.all(
        entries.map(async (entry) => {
          const full = join(dir, entry.name);
          if (left > 1) return entry.isDirectory() ? walk(full, left - 1) : [];
          return entry.isFile() ? [relative(this.root, full).split(sep).join('/')] : [];
        }),
      );
      return nested.flat();
    };
    return walk(this.path(prefix), depth);
  }
}
