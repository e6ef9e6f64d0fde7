// SPDX-License-Identifier: MIT
// A small tmpfs mounted by the test (as root): a disk that fills up, or a read-only one. Unmounted
// and removed when the test ends.

import { execFile } from 'node:child_process';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mounts a tmpfs of `sizeBytes` on a new folder, read-only when asked (remounted after mounting). */
export async function mountSmallFilesystem(t: TestContext, prefix: string, options: { sizeBytes: number; readOnly?: boolean }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `reposign-${prefix}-`));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${options.sizeBytes}`, 'tmpfs', dir]);
  t.after(async () => {
    await run('umount', ['--lazy', dir]);
    await rmdir(dir);
  });
  if (options.readOnly === true) await run('mount', ['-o', 'remount,ro', dir]);
  return dir;
}
