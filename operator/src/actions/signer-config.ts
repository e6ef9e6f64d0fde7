// SPDX-License-Identifier: MIT
// Hands the active certificate to the signer-service: writes the signing configuration Secret it
// mounts (create or replace with a resourceVersion precondition) and, in Patch management only,
// sets one pod-template annotation on its Deployment with the operator's own field manager.

import { createHash } from 'node:crypto';
import { GROUP } from '../api/v1alpha1/names.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { SecretObject } from '../kube/kube-object.js';
import { DEPLOYMENTS, SECRETS, apiVersionOf } from '../kube/resources.js';
import { signerConfigSecret, type SignerConfigContent } from '../objects/signer-config-secret.js';

/** The pod-template annotation Patch management sets: a digest of the configuration Secret's data. */
export const CONFIG_HASH_ANNOTATION = `${GROUP}/signing-config-hash`;

/** Writes Secret `name` for `content`, mounted at `mountPath`; returns the digest of its data. */
export async function writeSignerConfig(client: KubeClient, signer: RepositorySigner, name: string, mountPath: string, content: SignerConfigContent): Promise<string> {
  const secret = signerConfigSecret(signer, name, mountPath, content);
  const existing = await client.get<SecretObject>(SECRETS, signer.metadata.namespace, name);
  if (existing === undefined) await client.create(SECRETS, secret);
  else await client.replace(SECRETS, { ...secret, metadata: { ...secret.metadata, resourceVersion: existing.metadata?.resourceVersion } });
  const digest = createHash('sha256');
  for (const [key, value] of Object.entries(secret.data ?? {}).sort(([a], [b]) => a.localeCompare(b))) digest.update(`${key}=${value};`);
  return `sha256:${digest.digest('hex')}`;
}

/**
 * Server-side applies only the config-hash annotation of the Deployment's pod template, so other
 * managers (Helm, Argo CD, Flux) keep every other field and see no drift in theirs.
 */
export async function annotateDeployment(client: KubeClient, namespace: string, deployment: string, configHash: string): Promise<void> {
  await client.patch(DEPLOYMENTS, namespace, deployment, {
    type: 'apply',
    force: true,
    body: {
      apiVersion: apiVersionOf(DEPLOYMENTS),
      kind: DEPLOYMENTS.kind,
      metadata: { name: deployment, namespace },
      spec: { template: { metadata: { annotations: { [CONFIG_HASH_ANNOTATION]: configHash } } } },
    },
  });
}
