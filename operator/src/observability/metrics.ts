// SPDX-License-Identifier: MIT
// The operator's Prometheus metrics: per RepositorySigner its certificate's expiry and renewal
// time, readiness and whether an issuance is running (for the chart's alerts: expiring inside the
// renewal window, a rotation stuck, issuance failing), and the controller's own health.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { Decision } from '../reconcile/decision.js';
import { parseTimestamp } from '../reconcile/time.js';

/** The metrics the controller updates. */
export interface OperatorMetrics {
  readonly registry: Registry;
  /** Records what a pass decided for `signer`. */
  observe(signer: RepositorySigner, decision: Decision): void;
  issuanceFailed(signer: RepositorySigner): void;
  reconciled(result: 'success' | 'error' | 'requeue', seconds: number): void;
  setLeader(leading: boolean): void;
  setQueueDepth(depth: number): void;
  /** Drops the series of a deleted RepositorySigner. */
  forget(signer: { readonly namespace: string; readonly name: string }): void;
}

const LABELS = ['namespace', 'name'] as const;

/** Creates the metrics in a registry of their own. */
export function operatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  const gauge = (name: string, help: string): Gauge<(typeof LABELS)[number]> => new Gauge({ name, help, labelNames: LABELS, registers: [registry] });
  const notAfter = gauge('reposign_operator_certificate_not_after_seconds', 'notAfter of the active signing certificate, seconds since the epoch.');
  const renewal = gauge('reposign_operator_certificate_renewal_time_seconds', 'When the active certificate is due for renewal, seconds since the epoch.');
  const ready = gauge('reposign_operator_ready', '1 when the RepositorySigner is Ready.');
  const issuing = gauge('reposign_operator_issuing', '1 while an issuance (rotation) is in progress.');
  const issuingSince = gauge('reposign_operator_issuing_since_seconds', 'When the running issuance started, seconds since the epoch (0 when none runs).');
  const failures = new Counter({ name: 'reposign_operator_issuance_failures_total', help: 'Failed issuances.', labelNames: LABELS, registers: [registry] });
  const reconciles = new Counter({ name: 'reposign_operator_reconcile_total', help: 'Reconcile passes by result.', labelNames: ['result'], registers: [registry] });
  const duration = new Histogram({ name: 'reposign_operator_reconcile_duration_seconds', help: 'Duration of reconcile passes.', registers: [registry], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60] });
  const leader = new Gauge({ name: 'reposign_operator_leader', help: '1 while this replica is the leader.', registers: [registry] });
  const depth = new Gauge({ name: 'reposign_operator_queue_depth', help: 'RepositorySigners waiting to be reconciled.', registers: [registry] });
  const perSigner = [notAfter, renewal, ready, issuing, issuingSince];

  return {
    registry,
    observe(signer, decision) {
      const labels = { namespace: signer.metadata.namespace, name: signer.metadata.name };
      const patch = decision.statusPatch;
      const notAfterText = patch.notAfter ?? signer.status?.notAfter;
      const renewalText = patch.renewalTime ?? signer.status?.renewalTime;
      if (typeof notAfterText === 'string') notAfter.set(labels, parseTimestamp(notAfterText) / 1000);
      if (typeof renewalText === 'string') renewal.set(labels, parseTimestamp(renewalText) / 1000);
      const condition = (type: string) => decision.conditions.find((c) => c.type === type);
      ready.set(labels, condition('Ready')?.status === 'True' ? 1 : 0);
      const running = condition('Issuing');
      issuing.set(labels, running?.status === 'True' ? 1 : 0);
      issuingSince.set(labels, running?.status === 'True' ? parseTimestamp(running.lastTransitionTime) / 1000 : 0);
    },
    issuanceFailed(signer) {
      failures.inc({ namespace: signer.metadata.namespace, name: signer.metadata.name });
    },
    reconciled(result, seconds) {
      reconciles.inc({ result });
      duration.observe(seconds);
    },
    setLeader(leading) {
      leader.set(leading ? 1 : 0);
    },
    setQueueDepth(value) {
      depth.set(value);
    },
    forget(signer) {
      for (const metric of perSigner) metric.remove({ namespace: signer.namespace, name: signer.name });
    },
  };
}
