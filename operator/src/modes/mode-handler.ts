// SPDX-License-Identifier: MIT
// One handler per signing mode: how the operator finds a RepositorySigner's key material and
// provider verdict, what the signer-service is configured with, and (where the operator makes
// certificates) how it issues one.

import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { Clock } from '../controller/clock.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { SecretObject } from '../kube/kube-object.js';
import type { SignerConfigContent } from '../objects/signer-config-secret.js';
import type { Action } from '../reconcile/actions.js';
import type { Material, ProviderVerdict } from '../reconcile/observed.js';
import type { KeyMaterialInspector } from './key-material.js';

/** What a handler needs from the outside. */
export interface ModeContext {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly inspector: KeyMaterialInspector;
  /** A Secret of the signer's namespace: operator-owned ones from the cache, the user's by GET. */
  readonly secret: (namespace: string, name: string) => Promise<SecretObject | undefined>;
}

/** What a handler found for one pass. */
export interface ModeState {
  readonly material: Material;
  readonly provider: ProviderVerdict;
  /** The signer-service configuration for the material; absent when there is nothing usable. */
  readonly signerConfig?: Pick<SignerConfigContent, 'signing' | 'files'>;
  /** The active certificate as PEM, for the published records. */
  readonly certificatePem?: string;
  /** Look again after this long even without a watch event (a user's Secret is not watched). */
  readonly recheckAfterMs?: number;
}

/** The IssueCertificate action. */
export type IssueAction = Extract<Action, { readonly kind: 'IssueCertificate' }>;

/** A signing mode's part of the reconcile. */
export interface ModeHandler {
  gather(signer: RepositorySigner, context: ModeContext, mountPath: string): Promise<ModeState>;
  /** Makes revision `action.revision`; absent for modes whose certificates the operator does not make. */
  issue?(signer: RepositorySigner, action: IssueAction, context: ModeContext): Promise<void>;
}
