// SPDX-License-Identifier: MIT
// Runs a decision's actions in order, stopping at the first failure. Every action is idempotent,
// so a pass interrupted anywhere can simply run again.

import { FINALIZER } from '../api/v1alpha1/names.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import { defaultRecordsConfigMapName } from '../api/v1alpha1/defaults.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { ConfigMapObject } from '../kube/kube-object.js';
import { CONFIG_MAPS, REPOSITORY_SIGNERS, SECRETS } from '../kube/resources.js';
import type { ModeContext, ModeHandler, ModeState } from '../modes/mode-handler.js';
import { readCertificatesPem } from '../objects/records-config-map.js';
import { DEFAULT_SIGNER_CONFIG_MOUNT_PATH } from '../objects/signer-config-secret.js';
import type { Action } from '../reconcile/actions.js';
import type { EventRecorder } from './event-recorder.js';
import { publishRecords } from './records.js';
import { annotateDeployment, writeSignerConfig } from './signer-config.js';

/** An issuance that failed: the reconciler records it (back-off) instead of retrying at once. */
export class IssuanceError extends Error {
  override readonly name = 'IssuanceError';
}

/** What the actions of one pass need. */
export interface ActionContext {
  readonly signer: RepositorySigner;
  readonly mode: ModeHandler;
  readonly state: ModeState;
  readonly modeContext: ModeContext;
  readonly recorder: EventRecorder;
}

function client(context: ActionContext): KubeClient {
  return context.modeContext.client;
}

/** Sets the finalizers; returns the RepositorySigner's new resourceVersion. */
async function setFinalizers(context: ActionContext, finalizers: readonly string[], resourceVersion: string | undefined): Promise<string | undefined> {
  const { namespace, name } = context.signer.metadata;
  const patched = await client(context).patch<RepositorySigner>(REPOSITORY_SIGNERS, namespace, name, { type: 'merge', body: { metadata: { finalizers, resourceVersion } } });
  return patched.metadata.resourceVersion;
}

async function deleteSecrets(context: ActionContext, names: readonly string[]): Promise<void> {
  for (const name of names) await client(context).delete(SECRETS, context.signer.metadata.namespace, name);
}

async function configureSignerService(context: ActionContext, action: Extract<Action, { kind: 'WriteSignerConfig' }>): Promise<void> {
  const { signer, state } = context;
  if (state.signerConfig === undefined) throw new Error('there is no usable key material to configure the signer-service with');
  const recordsName = signer.spec.publish?.configMapName ?? defaultRecordsConfigMapName(signer.metadata.name);
  const records = await client(context).get<ConfigMapObject>(CONFIG_MAPS, signer.metadata.namespace, recordsName);
  const service = signer.spec.signerService;
  const mountPath = service?.mountPath ?? DEFAULT_SIGNER_CONFIG_MOUNT_PATH;
  const hash = await writeSignerConfig(client(context), signer, action.secretName, mountPath, {
    ...state.signerConfig,
    publishedPem: readCertificatesPem(records),
    fingerprint: action.fingerprint,
    revision: action.revision,
  });
  if (service?.management === 'Patch' && service.deploymentName !== undefined) await annotateDeployment(client(context), signer.metadata.namespace, service.deploymentName, hash);
}

async function run(context: ActionContext, action: Exclude<Action, { kind: 'AddFinalizer' | 'RemoveFinalizer' }>): Promise<void> {
  const { signer } = context;
  switch (action.kind) {
    case 'DeleteOwnedSecrets':
    case 'PruneKeySecrets':
      return deleteSecrets(context, action.names);
    case 'IssueCertificate':
      if (context.mode.issue === undefined) throw new IssuanceError(`mode ${action.mode} cannot issue certificates`);
      try {
        return await context.mode.issue(signer, action, context.modeContext);
      } catch (error) {
        throw new IssuanceError(error instanceof Error ? error.message : String(error), { cause: error });
      }
    case 'PublishRecords': {
      const pem = context.state.certificatePem;
      if (pem === undefined) throw new Error('the certificate to publish has no PEM');
      return publishRecords(client(context), context.modeContext.clock, signer, action.configMapName, action.records.map((record) => ({ record, certificatePem: pem })));
    }
    case 'WriteSignerConfig':
      return configureSignerService(context, action);
    case 'EmitEvent':
      return context.recorder.emit(signer, action.type, action.reason, action.message);
  }
}

/**
 * Runs `actions` in order; throws the first failure (IssuanceError for a failed issuance). Returns
 * the RepositorySigner's resourceVersion after them, which changes when a finalizer was set.
 */
export async function executeActions(actions: readonly Action[], context: ActionContext): Promise<string | undefined> {
  let resourceVersion = context.signer.metadata.resourceVersion;
  const finalizers = context.signer.metadata.finalizers ?? [];
  for (const action of actions) {
    if (action.kind === 'AddFinalizer') resourceVersion = await setFinalizers(context, [...finalizers, FINALIZER], resourceVersion);
    else if (action.kind === 'RemoveFinalizer') resourceVersion = await setFinalizers(context, finalizers.filter((f) => f !== FINALIZER), resourceVersion);
    else await run(context, action);
  }
  return resourceVersion;
}
