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

/** Reconciles RepositorySigners by key (`namespace/name`). */
export class RepositorySignerReconciler {
  constructor(private readonly deps: ReconcilerDependencies) {}

  /**
   * One pass. Returns when to look again (ms), or undefined when only a change can matter. Throws
   * on failures that the work queue retries with back-off (API errors, conflicts).
   */
  async reconcile(key: string): Promise<number | undefined> {
    const signer = this.deps.signers.get(key) as RepositorySigner | undefined;
    if (signer === undefined) {
      this.deps.metrics.forget(splitKey(key));
      return undefined;
    }
    const { client, clock, log } = this.deps;
    const mode = this.deps.modes(signer.spec.mode);
    const modeContext: ModeContext = {
      client,
      clock,
      inspector: this.deps.inspector,
      secret: async (namespace, name) =>
        this.deps.ownedSecrets.get(`${namespace}/${name}`) ?? (await client.get<SecretObject>(SECRETS, namespace, name)),
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
    let resourceVersion: string | undefined;
    try {
      resourceVersion = await executeActions(decision.actions, { signer, mode, state, modeContext, recorder: this.deps.recorder });
    } catch (error) {
      if (!(error instanceof IssuanceError)) throw error;
      log.warn('issuance failed', { signer: key, err: error.message });
      this.deps.metrics.issuanceFailed(signer);
      decision = recordIssuanceFailure(signer, error.message, now);
      resourceVersion = await executeActions(decision.actions, { signer, mode, state, modeContext, recorder: this.deps.recorder });
    }
    if (signer.metadata.deletionTimestamp !== undefined) return undefined;
    const current = { ...signer, metadata: { ...signer.metadata, resourceVersion } };
    const wrote = await writeStatus(client, current, decision.statusPatch, decision.conditions);
    if (wrote) log.debug('status written', { signer: key });
    this.deps.metrics.observe(signer, decision);
    const waits = [decision.requeueAfter, state.recheckAfterMs].filter((ms): ms is number => ms !== undefined && ms > 0);
    return waits.length === 0 ? undefined : Math.min(...waits);
  }
}
