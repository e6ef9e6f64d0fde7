// SPDX-License-Identifier: MIT
// The operator against the in-process fake API server: the real CRD installed with the real
// kubectl, the operator's manager started in-process on a fake clock (for time-driven scenarios)
// or its real entry point as a process, and helpers to wait for what the cluster shows.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeEventRecorder } from '../../operator/src/actions/event-recorder.js';
import type { RepositorySigner } from '../../operator/src/api/v1alpha1/repository-signer.js';
import { systemClock } from '../../operator/src/controller/clock.js';
import { startManager, type Manager } from '../../operator/src/controller/manager.js';
import type { KubeClient } from '../../operator/src/kube/kube-client.js';
import { REPOSITORY_SIGNERS } from '../../operator/src/kube/resources.js';
import { restKubeClient } from '../../operator/src/kube/rest-kube-client.js';
import { engineKeyMaterialInspector } from '../../operator/src/modes/engine-key-material.js';
import type { KeyMaterialInspector } from '../../operator/src/modes/key-material.js';
import { modeHandler } from '../../operator/src/modes/mode-handlers.js';
import { jsonLogger } from '../../operator/src/observability/logger.js';
import { operatorMetrics, type OperatorMetrics } from '../../operator/src/observability/metrics.js';
import { FakeClock } from '../../operator/test/helpers/fake-clock.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { startHarness, type Harness } from '../kube-apiserver/test-harness.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** An in-process operator replica and its metrics. */
export interface RunningOperator {
  readonly manager: Manager;
  readonly metrics: OperatorMetrics;
}

/** The fake cluster with the RepositorySigner CRD installed. */
export interface OperatorHarness extends Harness {
  readonly client: KubeClient;
  /** The operator's clock; the fake API server reads the same time. */
  readonly clock: FakeClock;
  /** Starts the operator's manager in-process; stopped when the test ends. */
  startOperator(options?: { readonly identity?: string; readonly leaderElection?: boolean; readonly inspector?: KeyMaterialInspector }): RunningOperator;
  /** Runs the real `reposign-operator` entry point against the fake; killed when the test ends. */
  spawnOperator(env?: Record<string, string>): ChildProcess;
  /** The RepositorySigner `namespace/name` as the server has it. */
  signer(namespace: string, name: string): Promise<RepositorySigner | undefined>;
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes (real time). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await sleep(50);
  }
}

/**
 * Waits until the fake has seen no write for `settleMs` (a pass's events follow its status write),
 * then returns the number of writes so far: a baseline for "nothing more happens" assertions.
 */
export async function settledWrites(h: Harness, settleMs = 400): Promise<number> {
  let count = h.server.requests.writes().length;
  for (;;) {
    await sleep(settleMs);
    const now = h.server.requests.writes().length;
    if (now === count) return count;
    count = now;
  }
}

/** The status of condition `type`, or undefined. */
export function conditionOf(signer: RepositorySigner | undefined, type: string): { status: string; reason: string; message: string } | undefined {
  return signer?.status?.conditions?.find((condition) => condition.type === type);
}

/** Starts the fake, applies `crds/` with kubectl and creates `namespaces`. */
export async function startOperatorHarness(t: TestContext, namespaces: readonly string[] = ['nuget']): Promise<OperatorHarness> {
  const clock = new FakeClock(Date.now());
  const harness = await startHarness(t, { clock: { now: () => new Date(clock.now()) }, bookmarkIntervalMs: 200 });
  const applied = await harness.kubectl.run(['apply', '-f', `${REPO_ROOT}crds/`]);
  if (applied.code !== 0) throw new Error(`kubectl apply -f crds/ failed: ${applied.stderr}`);
  for (const namespace of namespaces) {
    const created = await harness.kubectl.run(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
    if (created.code !== 0) throw new Error(`kubectl apply of a Namespace failed: ${created.stderr}`);
  }
  const client = restKubeClient(harness.kubeConfig);
  // A spawned operator is killed at the end of its test, possibly mid-pass: its temporary files
  // (a pass's credential directory) go to the test's folder, which is removed whatever it holds.
  const operatorTemp = await tempDirFor(t, 'operator-tmp');
  const log = jsonLogger(process.env['OPERATOR_TEST_LOG'] === '1' ? 'debug' : 'error', (line) => process.stderr.write(line));
  return {
    ...harness,
    client,
    clock,
    startOperator: (options = {}) => {
      const identity = options.identity ?? 'operator-0';
      const metrics = operatorMetrics();
      const manager = startManager({
        client,
        clock,
        log: log.child({ replica: identity }),
        metrics,
        recorder: kubeEventRecorder(client, clock, log, identity),
        inspector: options.inspector ?? engineKeyMaterialInspector,
        modes: modeHandler,
        namespace: undefined,
        workers: 2,
        leaderElection:
          options.leaderElection === true ? { namespace: 'kube-system', name: 'reposign-operator', identity, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } : undefined,
        reconnectBackoff: { initialMs: 50, maxMs: 500 },
        reconnectClock: systemClock,
      });
      t.after(() => manager.stop());
      return { manager, metrics };
    },
    spawnOperator: (env = {}) => {
      const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', `${REPO_ROOT}operator/src/main.ts`], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TMPDIR: operatorTemp, KUBECONFIG: harness.kubeconfigPath, HEALTH_PORT: '0', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      t.after(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      return child;
    },
    signer: (namespace, name) => client.get<RepositorySigner>(REPOSITORY_SIGNERS, namespace, name),
  };
}

/** A SelfSigned RepositorySigner manifest (2048-bit keys keep tests fast). */
export function selfSignedManifest(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'reposign.dev/v1alpha1',
    kind: 'RepositorySigner',
    metadata: { name, namespace: 'nuget' },
    spec: {
      mode: 'SelfSigned',
      selfSigned: {},
      secretName: `${name}-signing`,
      certificate: { subject: { commonName: `${name} repository signer`, organizations: ['Tests'] }, duration: '720h', renewBefore: '240h', privateKey: { size: 2048 } },
      ...extra,
    },
  });
}
