// SPDX-License-Identifier: MIT
// Per-test scratch directories under the OS temp folder.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** Creates a fresh, empty directory `<os tmp>/reposign-<prefix>-XXXXXX` and returns its absolute path. */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `reposign-${prefix}-`));
}

/** Removes a directory made by {@link makeTempDir} with everything in it; a missing directory is not an error. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * The directories {@link tempDirFor} made in this process. node:test runs a test's after-hooks in the
 * order they were added, so a feed or server started after its directory was made is still running
 * when the directory is removed, and can write into it again; the process removes them all once
 * more when it exits, after every hook has run.
 */
const madeForTests = new Set<string>();

function removeAgainAtExit(dir: string): void {
  if (madeForTests.size === 0) {
    process.once('exit', () => {
      for (const made of madeForTests) rmSync(made, { recursive: true, force: true });
    });
  }
  madeForTests.add(dir);
}

/** Creates a temp directory that is removed when the test `t` ends (through `t.after`), and again when the process exits. */
export async function tempDirFor(t: TestContext, prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  removeAgainAtExit(dir);
  t.after(() => removeTempDir(dir));
  return dir;
}
