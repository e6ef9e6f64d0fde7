// SPDX-License-Identifier: MIT
// Publishing: appends certificate records to the ConfigMap (created on first use), never removing
// or rewriting one; a concurrent change makes the write conflict and the pass run again.

import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { Clock } from '../controller/clock.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { ConfigMapObject } from '../kube/kube-object.js';
import { CONFIG_MAPS } from '../kube/resources.js';
import { appendRecords } from '../objects/records-config-map.js';
import type { PublishedRecord } from '../reconcile/actions.js';

/** Appends `records` (the active certificate's, with its PEM) to ConfigMap `name`. */
export async function publishRecords(
  client: KubeClient,
  clock: Clock,
  signer: RepositorySigner,
  name: string,
  additions: readonly { readonly record: PublishedRecord; readonly certificatePem: string }[],
): Promise<void> {
  const existing = await client.get<ConfigMapObject>(CONFIG_MAPS, signer.metadata.namespace, name);
  const next = appendRecords(signer, name, existing, additions, new Date(clock.now()).toISOString());
  if (existing === undefined) await client.create(CONFIG_MAPS, next);
  else await client.replace(CONFIG_MAPS, next);
}
