// SPDX-License-Identifier: MIT
// The `reposign-operator` process: read the settings, connect with the current kubeconfig (or the
// in-cluster service account), serve health and metrics, run the manager, and stop gracefully on
// SIGTERM or SIGINT (in-flight passes finish, a leader releases its lease).

import { KubeConfig } from '@kubernetes/client-node';
import { kubeEventRecorder } from './actions/event-recorder.js';
import { loadOperatorConfig, OperatorConfigError } from './config.js';
import { systemClock } from './controller/clock.js';
import { startManager } from './controller/manager.js';
import { restKubeClient } from './kube/rest-kube-client.js';
import { engineKeyMaterialInspector } from './modes/engine-key-material.js';
import { modeHandler } from './modes/mode-handlers.js';
import { startHealthServer } from './observability/health-server.js';
import { jsonLogger } from './observability/logger.js';
import { operatorMetrics } from './observability/metrics.js';

/** EX_CONFIG: the settings are wrong, a restart will not help. */
const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  const config = loadOperatorConfig();
  const log = jsonLogger(config.logLevel);
  const kubeConfig = new KubeConfig();
  if (config.kubeconfig === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(config.kubeconfig);
  const client = restKubeClient(kubeConfig);
  const metrics = operatorMetrics();
  const identity = config.leaderElection?.identity ?? 'reposign-operator';
  const manager = startManager({
    client,
    clock: systemClock,
    log,
    metrics,
    recorder: kubeEventRecorder(client, systemClock, log, identity),
    inspector: engineKeyMaterialInspector,
    modes: modeHandler,
    namespace: config.namespace,
    workers: config.workers,
    leaderElection:
      config.leaderElection === undefined
        ? undefined
        : { ...config.leaderElection, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
  });
  const health = await startHealthServer({ registry: metrics.registry, ready: () => manager.ready() }, config.health.host, config.health.port);
  log.info('operator started', { namespace: config.namespace ?? '(all)', leaderElection: config.leaderElection !== undefined, healthPort: health.port });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    void manager
      .stop()
      .then(() => health.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`reposign-operator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof OperatorConfigError ? EXIT_CONFIG : 1);
});
