// SPDX-License-Identifier: MIT
// The decision core: from what a pass observed and the time, the conditions, writes, status fields
// and next wake-up. Pure: no I/O, the clock is a parameter, and nothing it returns touches `spec`.

import { ReadyReason, ProviderReason } from '../api/v1alpha1/conditions.js';
import { DEFAULT_REVISION_HISTORY_LIMIT } from '../api/v1alpha1/defaults.js';
import { FINALIZER } from '../api/v1alpha1/names.js';
import type { Action } from './actions.js';
import { activeCertificate, activeStatusPatch, type ActiveCertificate } from './active-certificate.js';
import { applyConditions, transitionEvents, type ConditionUpdate } from './conditions.js';
import { soonest, type Decision } from './decision.js';
import { operatorIssuance, userManagedIssuance } from './issuance.js';
import type { Observed } from './observed.js';
import { outputs } from './outputs.js';
import { readyCondition } from './readiness.js';

/** How long to wait before asking a provider that was not ready again. */
export const PROVIDER_RECHECK_MS = 5 * 60_000;

/** The mode whose certificates the user supplies; the operator never issues for it. */
export const USER_MANAGED_MODE = 'StoredCertificate';

function finalize(observed: Observed): Decision {
  const { signer, ownedSecrets } = observed;
  const actions: Action[] = [];
  if (!signer.metadata.finalizers?.includes(FINALIZER)) return { conditions: signer.status?.conditions ?? [], actions, statusPatch: {} };
  if (ownedSecrets.length > 0) actions.push({ kind: 'DeleteOwnedSecrets', names: ownedSecrets.map((s) => s.name) });
  actions.push({ kind: 'RemoveFinalizer' });
  return { conditions: signer.status?.conditions ?? [], actions, statusPatch: {} };
}

function suspended(observed: Observed, now: number): Decision {
  const { signer } = observed;
  const ready: ConditionUpdate = { type: 'Ready', status: 'Unknown', reason: ReadyReason.Suspended, message: 'Reconciliation is suspended (spec.suspend)' };
  return {
    conditions: applyConditions(signer.status?.conditions, [ready], signer.metadata.generation, now),
    actions: [],
    statusPatch: { observedGeneration: signer.metadata.generation },
  };
}

/** Retired key Secrets beyond revisionHistoryLimit, oldest first out. */
function pruning(observed: Observed): Action[] {
  const limit = observed.signer.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  const retired = observed.ownedSecrets.filter((s) => s.role === 'RetiredKey').sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
  const names = retired.slice(limit).map((s) => s.name);
  return names.length === 0 ? [] : [{ kind: 'PruneKeySecrets', names }];
}

function wakeTimes(active: ActiveCertificate | undefined, issuingWake: number | undefined, providerReady: boolean, now: number): (number | undefined)[] {
  return [active?.renewalTime, active?.notBefore, active?.notAfter, issuingWake, providerReady ? undefined : now + PROVIDER_RECHECK_MS];
}

/**
 * Decides one pass for a RepositorySigner. Deletion runs the finalizer (owned Secrets go, records
 * stay); `suspend` only sets Ready=Unknown (Suspended) and acts on nothing; otherwise it mirrors the
 * active certificate into status, runs the trigger step (SelfSigned and provider modes) or
 * acknowledges user-managed material (StoredCertificate), publishes before configuring the
 * signer-service, prunes retired key Secrets once Ready, and emits an event per condition transition.
 */
export function decide(observed: Observed, now: number): Decision {
  const { signer, provider } = observed;
  if (signer.metadata.deletionTimestamp !== undefined) return finalize(observed);
  if (signer.spec.suspend === true) return suspended(observed, now);

  const status = signer.status ?? {};
  const generation = signer.metadata.generation;
  const userManaged = signer.spec.mode === USER_MANAGED_MODE;
  const active = activeCertificate(signer, observed.material);
  const issuance = userManaged ? userManagedIssuance(observed) : operatorIssuance(observed, active, now);
  const out = outputs(observed, active, now);
  const ready = readyCondition({
    provider,
    material: observed.material,
    active,
    issuing: issuance.issuing.status === 'True',
    userManaged,
    published: out.published.status === 'True',
    synced: out.synced.status === 'True',
    now,
  });
  const providerReady: ConditionUpdate = {
    type: 'ProviderReady',
    status: provider.ready ? 'True' : 'False',
    reason: provider.ready ? ProviderReason.Valid : provider.reason,
    message: provider.message,
  };
  const conditions = applyConditions(status.conditions, [ready, issuance.issuing, providerReady, out.published, out.synced], generation, now);
  const actions: Action[] = [
    ...(signer.metadata.finalizers?.includes(FINALIZER) ? [] : [{ kind: 'AddFinalizer' } as const]),
    ...issuance.actions,
    ...out.actions,
    ...(ready.status === 'True' && signer.spec.mode === 'SelfSigned' ? pruning(observed) : []),
    ...transitionEvents(status.conditions, conditions),
  ];
  return {
    conditions,
    actions,
    requeueAfter: soonest(wakeTimes(active, issuance.wakeAt, provider.ready, now), now),
    statusPatch: { observedGeneration: generation, ...(active ? activeStatusPatch(active) : {}), ...issuance.patch },
  };
}
