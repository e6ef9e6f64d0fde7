// SPDX-License-Identifier: MIT
// Prometheus metrics of one feed instance, in its own registry (tests build many apps per process).

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SigningObserver } from './feed-signer.js';

/** The feed's counters and histograms. */
export interface FeedMetrics extends SigningObserver {
  readonly registry: Registry;
  push(outcome: 'created' | 'conflict' | 'rejected' | 'invalid' | 'error'): void;
  download(kind: 'nupkg' | 'nuspec', outcome: 'ok' | 'not_found' | 'error'): void;
  signing(mode: 'push' | 'download', outcome: 'ok' | 'error', seconds: number): void;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Creates the metrics; `defaults` adds the process metrics (not in tests). */
export function createFeedMetrics(options: { defaults: boolean }): FeedMetrics {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry });
  const pushes = new Counter({ name: 'reposign_pushes_total', help: 'Package pushes by outcome.', labelNames: ['outcome'], registers: [registry] });
  const downloads = new Counter({
    name: 'reposign_downloads_total',
    help: 'Flat-container downloads by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const signings = new Counter({
    name: 'reposign_signings_total',
    help: 'Repository signings by mode (at push or on first download) and outcome.',
    labelNames: ['mode', 'outcome'],
    registers: [registry],
  });
  const signingSeconds = new Histogram({
    name: 'reposign_signing_duration_seconds',
    help: 'Time to repository-sign one package, timestamp included.',
    labelNames: ['mode'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const timestampSeconds = new Histogram({
    name: 'reposign_timestamp_duration_seconds',
    help: 'Time of one RFC 3161 timestamp request.',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    push: (outcome) => pushes.inc({ outcome }),
    download: (kind, outcome) => downloads.inc({ kind, outcome }),
    signing: (mode, outcome, seconds) => {
      signings.inc({ mode, outcome });
      signingSeconds.observe({ mode }, seconds);
    },
    timestampSeconds: (seconds, ok) => timestampSeconds.observe({ outcome: ok ? 'ok' : 'error' }, seconds),
  };
}
