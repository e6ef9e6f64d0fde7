// SPDX-License-Identifier: MIT
// Wires the controller together: reflectors keep caches of RepositorySigners and of the Secrets and
// ConfigMaps the operator owns, every change queues the RepositorySigner it concerns, and workers
// reconcile queued keys, but only while this replica leads (when leader election is on).

import { SIGNER_LABEL } from '../api/v1alpha1/names.js';
import type { EventRecorder } from '../actions/event-recorder.js';
import type { KubeClient } from '../kube/kube-client.js';
import { objectKey, type KubeObject } from '../kube/kube-object.js';
import { CONFIG_MAPS, REPOSITORY_SIGNERS, SECRETS } from '../kube/resources.js';
import type { KeyMaterialInspector } from '../modes/key-material.js';
import type { ModeHandler } from '../modes/mode-handler.js';
import { MANAGED_SELECTOR } from '../objects/labels.js';
import type { Logger } from '../observability/logger.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import type { Clock } from './clock.js';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
import { Reflector } from './reflector.js';
import { RepositorySignerReconciler } from './repository-signer-reconciler.js';
import { WorkQueue } from './work-queue.js';

/** How the manager is set up. */
export interface ManagerOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: OperatorMetrics;
  readonly recorder: EventRecorder;
  readonly inspector: KeyMaterialInspector;
  readonly modes: (mode: string) => ModeHandler;
  /** Undefined watches every namespace. */
  readonly namespace: string | undefined;
  readonly workers: number;
  /** Undefined runs without leader election (one replica). */
  readonly leaderElection: Omit<LeaderElectionOptions, 'client' | 'clock' | 'log'> | undefined;
  readonly watchTimeoutSeconds?: number;
  readonly reconnectBackoff?: { readonly initialMs: number; readonly maxMs: number };
  /**
   * The clock of the reflectors' reconnect delays; `clock` unless given. Tests that move `clock`
   * by hand keep network retries on real time.
   */
  readonly reconnectClock?: Clock;
}

/** A running operator. */
export interface Manager {
  /** True once every cache is synced. */
  ready(): boolean;
  isLeader(): boolean;
  /** Stops watching and working; a leader releases its lease. Resolves when everything stopped. */
  stop(): Promise<void>;
}

/** Starts the caches, the leader election and the workers. */
export function startManager(options: ManagerOptions): Manager {
  const { client, clock, log, metrics } = options;
  const stopping = new AbortController();
  const queue = new WorkQueue(clock);
  const enqueue = (key: string): void => {
    queue.add(key);
    metrics.setQueueDepth(queue.length);
  };
  const ownerKey = (object: KubeObject): string | undefined => {
    const signer = object.metadata?.labels?.[SIGNER_LABEL];
    return signer === undefined ? undefined : `${object.metadata?.namespace ?? ''}/${signer}`;
  };
  const reflectorOptions = { client, clock: options.reconnectClock ?? clock, log, watchTimeoutSeconds: options.watchTimeoutSeconds, backoff: options.reconnectBackoff };
  const signers = new Reflector({ ...reflectorOptions, type: REPOSITORY_SIGNERS, selection: { namespace: options.namespace }, onChange: (_type, object) => enqueue(objectKey(object)) });
  const ownedChange = (_type: string, object: KubeObject): void => {
    const key = ownerKey(object);
    if (key !== undefined) enqueue(key);
  };
  const secrets = new Reflector({ ...reflectorOptions, type: SECRETS, selection: { namespace: options.namespace, labelSelector: MANAGED_SELECTOR }, onChange: ownedChange });
  const configMaps = new Reflector({ ...reflectorOptions, type: CONFIG_MAPS, selection: { namespace: options.namespace, labelSelector: MANAGED_SELECTOR }, onChange: ownedChange });
  const reflectors = [signers, secrets, configMaps];
  const reconciler = new RepositorySignerReconciler({
    client,
    clock,
    log,
    recorder: options.recorder,
    inspector: options.inspector,
    metrics,
    signers,
    ownedSecrets: secrets,
    ownedConfigMaps: configMaps,
    modes: options.modes,
  });
  const running = reflectors.map((reflector) => reflector.run(stopping.signal));

  const work = async (leading: AbortSignal): Promise<void> => {
    await Promise.all(reflectors.map((reflector) => reflector.synced()));
    for (const object of signers.list()) enqueue(objectKey(object));
    while (!leading.aborted) {
      const key = await queue.get();
      if (key === undefined || leading.aborted) {
        if (key !== undefined) queue.done(key);
        break;
      }
      const started = clock.now();
      try {
        const requeueAfter = await reconciler.reconcile(key);
        queue.forget(key);
        if (requeueAfter !== undefined) queue.addAfter(key, requeueAfter);
        metrics.reconciled(requeueAfter === undefined ? 'success' : 'requeue', (clock.now() - started) / 1000);
      } catch (error) {
        const delay = queue.addRateLimited(key);
        metrics.reconciled('error', (clock.now() - started) / 1000);
        log.warn('reconcile failed; retrying', { signer: key, retryInMs: delay, err: error instanceof Error ? error.message : String(error) });
      } finally {
        queue.done(key);
        metrics.setQueueDepth(queue.length);
      }
    }
  };
  const workers: Promise<void>[] = [];
  const startWorkers = (leading: AbortSignal): void => {
    metrics.setLeader(true);
    leading.addEventListener('abort', () => metrics.setLeader(false), { once: true });
    for (let i = 0; i < options.workers; i++) workers.push(work(leading));
  };

  let elector: LeaderElector | undefined;
  let election: Promise<void> = Promise.resolve();
  if (options.leaderElection === undefined) {
    startWorkers(stopping.signal);
  } else {
    elector = new LeaderElector({ ...options.leaderElection, client, clock, log });
    election = elector.run(stopping.signal, startWorkers);
  }

  return {
    ready: () => reflectors.every((reflector) => reflector.hasSynced),
    isLeader: () => (elector === undefined ? true : elector.isLeader),
    stop: async () => {
      stopping.abort();
      queue.shutDown();
      // In-flight passes finish; then a leader releases its lease.
      await Promise.all(workers);
      await Promise.all([...running, election]);
    },
  };
}
