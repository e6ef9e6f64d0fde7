// SPDX-License-Identifier: MIT
// Validates rendered objects against the Kubernetes OpenAPI schemas shipped by kubernetes-models
// (and @kubernetes-models/prometheus-operator for monitoring.coreos.com).

import type { RenderedObject } from './helm-template/chart.js';

interface Model {
  validate(): void;
}

type ModelModule = Record<string, new (data: unknown) => Model>;

async function modelModule(apiVersion: string): Promise<ModelModule> {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return (await import(`@kubernetes-models/prometheus-operator/${apiVersion}`)) as ModelModule;
  return (await import(`kubernetes-models/${apiVersion}`)) as ModelModule;
}

/** Throws with the schema errors of `object`, or when its kind is unknown. */
export async function validateKubernetesObject(object: RenderedObject): Promise<void> {
  const Kind = (await modelModule(object.apiVersion))[object.kind];
  if (Kind === undefined) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Kind(object).validate();
  } catch (err) {
    throw new Error(`${object.kind}/${object.metadata.name}: ${(err as Error).message}`, { cause: err });
  }
}
