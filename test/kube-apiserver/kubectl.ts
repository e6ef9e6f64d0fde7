// SPDX-License-Identifier: MIT
// Runs the real kubectl against a fake API server, isolated from the user's ~/.kube.

import { spawn } from 'node:child_process';

/** What a kubectl run printed and how it exited. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kubectl run still in progress (e.g. `kubectl wait`). */
export interface RunningKubectl {
  done: Promise<KubectlResult>;
  kill(): void;
}

/** Spawns kubectl with a fixed kubeconfig, cache directory and HOME. */
export class Kubectl {
  /** `home` doubles as HOME and holds kubectl's discovery cache. */
  constructor(
    private readonly kubeconfig: string,
    private readonly home: string,
  ) {}

  /** Starts `kubectl <args>`; `input` is written to its stdin. */
  start(args: readonly string[], input?: string): RunningKubectl {
    const child = spawn('kubectl', ['--kubeconfig', this.kubeconfig, '--cache-dir', `${this.home}/cache`, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input ?? '');
    const done = new Promise<KubectlResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    return { done, kill: () => child.kill() };
  }

  /** Runs `kubectl <args>` to completion. */
  async run(args: readonly string[], input?: string): Promise<KubectlResult> {
    return this.start(args, input).done;
  }
}
