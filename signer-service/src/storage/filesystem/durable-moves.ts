// SPDX-License-Identifier: MIT
// What makes a move into storage survive a power loss, not only a killed process: the file's
// content, and every directory whose entries the move (and the folders it created) changed.

import { open as openFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Flushes what is at `path` to the disk: a file's content, or a directory's entries. */
export type PathSync = (path: string) => Promise<void>;

/** fsync(2) through a read-only handle, which Linux allows for files and directories alike. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await openFile(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The directories whose entries change when a file is moved into `directory`: `directory` itself
 * and, when `mkdir -p` created folders for it starting at `firstCreated`, the parent of each
 * created folder, up to the parent of `firstCreated`.
 */
export function changedDirectories(directory: string, firstCreated: string | undefined): string[] {
  const changed = [directory];
  if (firstCreated === undefined) return changed;
  const stop = dirname(firstCreated);
  for (let current = directory; current !== stop && dirname(current) !== current; ) {
    current = dirname(current);
    changed.push(current);
  }
  return changed;
}
