// SPDX-License-Identifier: MIT
// Labels and owner references of the objects the operator writes: informers select on the labels,
// and the reconciler finds a RepositorySigner's objects by them.

import { API_VERSION, FIELD_MANAGER, GROUP, KIND, MANAGED_BY_LABEL, SIGNER_LABEL } from '../api/v1alpha1/names.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { OwnerReference } from '../kube/kube-object.js';

/** Which part an operator-written object plays for its RepositorySigner. */
export type ObjectRole = 'key' | 'retired-key' | 'issued-certificate' | 'signer-config' | 'records';

/** Label holding the {@link ObjectRole}. */
export const ROLE_LABEL = `${GROUP}/role`;

/** The label selector of everything the operator writes (its informers watch only these). */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${FIELD_MANAGER}`;

/** The labels of an object playing `role` for `signer`. */
export function ownedLabels(signer: RepositorySigner, role: ObjectRole): Record<string, string> {
  return { [MANAGED_BY_LABEL]: FIELD_MANAGER, [SIGNER_LABEL]: signer.metadata.name, [ROLE_LABEL]: role };
}

/**
 * The owner reference to `signer`, so the garbage collector removes the object with it. Published
 * records never get one: they outlive the RepositorySigner.
 */
export function ownerReference(signer: RepositorySigner): OwnerReference {
  return { apiVersion: API_VERSION, kind: KIND, name: signer.metadata.name, uid: signer.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}
