// SPDX-License-Identifier: MIT
// Prometheus metrics of one feed instance, in its own registry (tests build many apps per process).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SigningObserver } from './feed-signer.js';

/** The feed's counters and histograms. */
export interface FeedMetrics extends SigningObserver {
  readonly registry: Registry;
  push(outcome: 'created' | 'conflict' | 'rejected' | 'invalid' | 'error'): void;
  download(kind: 'nupkg' | 'nuspec', outcome: 'ok' | 'not_found' | 'error'): void;
  signing(mode: 'push' | 'download' | 'rotation', outcome: 'ok' | 'error', seconds: number): void;
  /** The rotation job re-signed a package, skipped or failed one, or found none ('idle'); and how many remain. */
  rotation(outcome: 'resigned' | 'skipped' | 'error' | 'idle', remaining: number): void;
  /** A check of the certificate and config files changed the key, found nothing, or failed. */
  certificateReload(outcome: 'reloaded' | 'error'): void;
  /** Where the pushes waiting for a slot (Limits:MaxConcurrentPushes) are counted, read at each scrape. */
  countWaitingPushes(count: () => number): void;
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
  const rotations = new Counter({
    name: 'reposign_rotation_packages_total',
    help: 'Packages the rotation job re-signed with the current certificate, by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const rotationRemaining = new Gauge({
    name: 'reposign_rotation_remaining_packages',
    help: 'Signed packages not yet signed by the current certificate.',
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'reposign_certificate_reloads_total',
    help: 'Signing key reloads after the certificate or config files changed, by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  let waitingPushes = (): number => 0;
  new Gauge({
    name: 'reposign_pushes_waiting',
    help: 'Pushes waiting for a slot under Limits:MaxConcurrentPushes.',
    registers: [registry],
    collect() {
      this.set(waitingPushes());
    },
  });
  return {
    registry,
    countWaitingPushes: (count) => (waitingPushes = count),
    rotation: (outcome, remaining) => {
      if (outcome !== 'idle') rotations.inc({ outcome });
      rotationRemaining.set(remaining);
    },
    certificateReload: (outcome) => reloads.inc({ outcome }),
    push: (outcome) => pushes.inc({ outcome }),
    download: (kind, outcome) => downloads.inc({ kind, outcome }),
    signing: (mode, outcome, seconds) => {
      signings.inc({ mode, outcome });
      signingSeconds.observe({ mode }, seconds);
    },
    timestampSeconds: (seconds, ok) => timestampSeconds.observe({ outcome: ok ? 'ok' : 'error' }, seconds),
  };
}
