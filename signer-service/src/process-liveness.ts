// SPDX-License-Identifier: MIT
// Whether a process of this machine still runs: how the data-folder lock and the scratch-folder
// sweep tell a live owner from one that died.

/** True when process `pid` exists on this machine (EPERM: it runs, as another user). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
