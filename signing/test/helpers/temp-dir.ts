// SPDX-License-Identifier: MIT
// Per-test scratch directories under the OS temp folder.
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

/** Creates a temp directory that is removed when the test `t` ends (through `t.after`). */
export async function tempDirFor(t: TestContext, prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  t.after(() => removeTempDir(dir));
  return dir;
}
