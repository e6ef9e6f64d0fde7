// SPDX-License-Identifier: MIT
// Writes a pass's conditions and status fields through the status subresource, only when they
// change (a no-op write would wake the watch and loop), with the object's resourceVersion as a
// precondition so a pass that decided on stale data gets a conflict and runs again.

import type { Condition } from '../api/v1alpha1/conditions.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { RepositorySignerStatus } from '../api/v1alpha1/status.js';
import type { KubeClient } from '../kube/kube-client.js';
import { REPOSITORY_SIGNERS } from '../kube/resources.js';
import type { StatusPatch } from '../reconcile/decision.js';

/** The status after applying `patch` (null removes a field) and `conditions`. */
export function nextStatus(current: RepositorySignerStatus | undefined, patch: StatusPatch, conditions: readonly Condition[]): RepositorySignerStatus {
  const next: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  next['conditions'] = conditions;
  return next;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
  );
}

/**
 * Writes the status when it differs from the current one; returns the new resourceVersion, or
 * undefined when nothing changed. Throws KubeApiError Conflict when `signer` is stale.
 */
export async function writeStatus(client: KubeClient, signer: RepositorySigner, patch: StatusPatch, conditions: readonly Condition[]): Promise<string | undefined> {
  const next = nextStatus(signer.status, patch, conditions);
  if (canonical(next) === canonical(signer.status ?? {})) return undefined;
  const removed = Object.fromEntries(Object.entries(patch).filter(([, value]) => value === null));
  const written = await client.patch<RepositorySigner>(REPOSITORY_SIGNERS, signer.metadata.namespace, signer.metadata.name, {
    type: 'merge',
    subresource: 'status',
    body: { metadata: { resourceVersion: signer.metadata.resourceVersion }, status: { ...next, ...removed } },
  });
  return written.metadata.resourceVersion;
}
