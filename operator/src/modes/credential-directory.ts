// SPDX-License-Identifier: MIT
// Where a pass of a remote mode writes the credential files it hands to the engine: a private
// directory per pass, named for the operator process that made it. A process that is killed (an
// OOM kill, SIGKILL) cannot remove its directory, so the first pass of the next process removes
// every such directory whose process is gone; the directories of live operators stay.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'reposign-operator-';
const NAME = new RegExp(`^${PREFIX}(\\d+)-`);

/** Whether process `pid` exists (one owned by another user counts: it cannot be signalled, but it is there). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !(error instanceof Error && 'code' in error && error.code === 'ESRCH');
  }
}

/** Removes the credential directories under `root` left by operator processes that no longer run. */
async function removeAbandonedCredentialDirectories(root: string = tmpdir()): Promise<void> {
  const names = await readdir(root).catch(() => []);
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(NAME.exec(name)?.[1] ?? 0);
      if (pid > 0 && pid !== process.pid && !alive(pid)) await rm(join(root, name), { recursive: true, force: true });
    }),
  );
}

const swept = new Map<string, Promise<void>>();

/**
 * A new directory under `root`, readable by this process's user alone (mkdtemp makes it 0700), for
 * one pass's credential files; the caller removes it. The first call per `root` first removes the
 * directories of operator processes that are gone.
 */
export async function credentialDirectory(root: string = tmpdir()): Promise<string> {
  let sweeping = swept.get(root);
  if (sweeping === undefined) {
    sweeping = removeAbandonedCredentialDirectories(root);
    swept.set(root, sweeping);
  }
  await sweeping;
  return mkdtemp(join(root, `${PREFIX}${process.pid}-`));
}
