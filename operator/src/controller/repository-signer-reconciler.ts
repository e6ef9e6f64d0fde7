// SPDX-License-Identifier: MIT
// One reconcile pass of a RepositorySigner: gather what is observed (the object from the cache, its
// mode's key material and provider verdict, the Secrets and records the operator owns), let the
// pure decision core decide, run the actions, and write status once, only when it changed.

import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import { defaultRecordsConfigMapName, defaultSignerConfigSecretName } from '../api/v1alpha1/defaults.js';
import { SIGNER_LABEL } from '../api/v1alpha1/names.js';
import { executeActions, IssuanceError } from '../actions/execute.js';
import type { EventRecorder } from '../actions/event-recorder.js';
import { writeStatus } from '../actions/status-writer.js';
import type { KubeClient } from '../kube/kube-client.js';
import { splitKey, type KubeObject, type SecretObject } from '../kube/kube-object.js';
import { SECRETS } from '../kube/resources.js';
import type { KeyMaterialInspector } from '../modes/key-material.js';
import type { ModeContext, ModeHandler, ModeState } from '../modes/mode-handler.js';
import { revisionOf } from '../objects/key-secret.js';
import { ROLE_LABEL } from '../objects/labels.js';
import { readRecords } from '../objects/records-config-map.js';
import { configuredFingerprint, DEFAULT_SIGNER_CONFIG_MOUNT_PATH } from '../objects/signer-config-secret.js';
import { decide } from '../reconcile/decide.js';
import type { Decision } from '../reconcile/decision.js';
import { recordIssuanceFailure } from '../reconcile/issuance-failure.js';
import type { Action } from '../reconcile/actions.js';
import type { Observed, OwnedSecret } from '../reconcile/observed.js';
import type { Logger } from '../observability/logger.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import type { Clock } from './clock.js';

/** Read access to a cache of one resource. */
export interface ObjectCache {
  get(key: string): KubeObject | undefined;
  list(): KubeObject[];
}

/** What the reconciler works with. */
export interface ReconcilerDependencies {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly recorder: EventRecorder;
  readonly inspector: KeyMaterialInspector;
  readonly metrics: OperatorMetrics;
  readonly signers: ObjectCache;
  /** Secrets the operator owns (label-selected). */
  readonly ownedSecrets: ObjectCache;
  /** ConfigMaps the operator owns (label-selected). */
  readonly ownedConfigMaps: ObjectCache;
  readonly modes: (mode: string) => ModeHandler;
}

/** A RepositorySigner being deleted needs no key material: only its finalizer runs. */
const DELETING: ModeState = { material: { state: 'Missing', detail: 'being deleted' }, provider: { ready: false, reason: 'Valid', message: 'being deleted' } };

const ROLES: Readonly<Record<string, OwnedSecret['role']>> = { key: 'Key', 'retired-key': 'RetiredKey', 'signer-config': 'SignerConfig' };

function ownedSecretsOf(signer: RepositorySigner, cache: ObjectCache): OwnedSecret[] {
  const owned: OwnedSecret[] = [];
  for (const secret of cache.list()) {
    const meta = secret.metadata;
    if (meta?.namespace !== signer.metadata.namespace || meta.labels?.[SIGNER_LABEL] !== signer.metadata.name) continue;
    const role = ROLES[meta.labels[ROLE_LABEL] ?? ''];
    if (role === undefined || meta.name === undefined) continue;
    const revision = revisionOf(secret);
    owned.push({ name: meta.name, role, ...(revision === undefined ? {} : { revision }) });
  }
  return owned;
}

/**
 * True when `cached` is older than `written`. resourceVersions are opaque to clients in general;
 * every API server we know of (etcd's revision, the test fake) uses increasing integers, and
 * where they are not integers the check is skipped.
 */
function isOlder(cached: string | undefined, written: string | undefined): boolean {
  if (cached === undefined || written === undefined || !/^\d+$/.test(cached) || !/^\d+$/.test(written)) return false;
  return BigInt(cached) < BigInt(written);
}

/** Reconciles RepositorySigners by key (`namespace/name`). */
export class RepositorySignerReconciler {
  /** The resourceVersion of each signer's last write by this replica, until the cache has caught up with it. */
  private readonly written = new Map<string, string>();

  constructor(private readonly deps: ReconcilerDependencies) {}

  /**
   * One pass. Returns when to look again (ms), or undefined when only a change can matter. Throws
   * on failures that the work queue retries with back-off (API errors, conflicts). A pass whose
   * cached RepositorySigner predates this replica's own last write does nothing: the watch event
   * of that write queues the signer again, and deciding on stale status could repeat an action.
   */
  async reconcile(key: string): Promise<number | undefined> {
    const signer = this.deps.signers.get(key) as RepositorySigner | undefined;
    if (signer === undefined) {
      this.written.delete(key);
      this.deps.metrics.forget(splitKey(key));
      return undefined;
    }
    if (isOlder(signer.metadata.resourceVersion, this.written.get(key))) return undefined;
    this.written.delete(key);
    const { client, clock, log } = this.deps;
    const mode = this.deps.modes(signer.spec.mode);
    const modeContext: ModeContext = {
      client,
      clock,
      inspector: this.deps.inspector,
      // Read fresh, never from the cache: key material decides issuance, and a cache that has not
      // yet seen this replica's last key write would make it issue twice.
      secret: (namespace, name) => client.get<SecretObject>(SECRETS, namespace, name),
    };
    const mountPath = signer.spec.signerService?.mountPath ?? DEFAULT_SIGNER_CONFIG_MOUNT_PATH;
    const state: ModeState = signer.metadata.deletionTimestamp === undefined ? await mode.gather(signer, modeContext, mountPath) : DELETING;
    const namespace = signer.metadata.namespace;
    const recordsName = signer.spec.publish?.configMapName ?? defaultRecordsConfigMapName(signer.metadata.name);
    const configName = signer.spec.signerService?.configSecretName ?? defaultSignerConfigSecretName(signer.metadata.name);
    const records = readRecords(this.deps.ownedConfigMaps.get(`${namespace}/${recordsName}`));
    const signerConfigFingerprint = configuredFingerprint(this.deps.ownedSecrets.get(`${namespace}/${configName}`));
    const observed: Observed = {
      signer,
      material: state.material,
      provider: state.provider,
      publishedFingerprints: records.map((record) => record.fingerprintSha256),
      ...(signerConfigFingerprint === undefined ? {} : { signerConfigFingerprint }),
      ownedSecrets: ownedSecretsOf(signer, this.deps.ownedSecrets),
    };
    const now = clock.now();
    let decision: Decision = decide(observed, now);
    const context = { signer, mode, state, modeContext, recorder: this.deps.recorder };
    let resourceVersion: string | undefined;
    try {
      resourceVersion = await executeActions(withoutEvents(decision.actions), context);
    } catch (error) {
      if (!(error instanceof IssuanceError)) throw error;
      log.warn('issuance failed', { signer: key, err: error.message });
      this.deps.metrics.issuanceFailed(signer);
      decision = recordIssuanceFailure(signer, error.message, now);
      resourceVersion = await executeActions(withoutEvents(decision.actions), context);
    }
    if (resourceVersion !== signer.metadata.resourceVersion && resourceVersion !== undefined) this.written.set(key, resourceVersion);
    if (signer.metadata.deletionTimestamp !== undefined) return undefined;
    const current = { ...signer, metadata: { ...signer.metadata, resourceVersion } };
    const statusVersion = await writeStatus(client, current, decision.statusPatch, decision.conditions);
    if (statusVersion !== undefined) {
      this.written.set(key, statusVersion);
      // Events describe the transitions this status records, so they follow it: a stale pass
      // whose status write conflicts announces nothing.
      await executeActions(decision.actions.filter((action) => action.kind === 'EmitEvent'), context);
    }
    this.deps.metrics.observe(signer, decision);
    const waits = [decision.requeueAfter, state.recheckAfterMs].filter((ms): ms is number => ms !== undefined && ms > 0);
    return waits.length === 0 ? undefined : Math.min(...waits);
  }
}

function withoutEvents(actions: readonly Action[]): Action[] {
  return actions.filter((action) => action.kind !== 'EmitEvent');
}
