// SPDX-License-Identifier: MIT
// Reads a CustomResourceDefinition: checks and defaults it on write, and derives the resource
// types it serves.

import type { FieldError } from './field-errors.js';
import { isObject, type KubeObject } from './json-value.js';
import type { JsonSchema } from './json-schema.js';
import type { PrinterColumn, ResourceType } from './resource-type.js';

interface CrdNames {
  kind: string;
  plural: string;
  singular?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JsonSchema };
  subresources?: { status?: object };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: CrdNames;
  versions: CrdVersion[];
}

function specOf(crd: KubeObject): CrdSpec {
  return crd.spec as CrdSpec;
}

/** Orders versions as Kubernetes does: GA before beta before alpha, higher numbers first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) return undefined;
    return [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined || pb === undefined) return pa !== undefined ? -1 : pb !== undefined ? 1 : a.localeCompare(b);
  return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2];
}

/** The checks the apiserver makes that a test CRD could plausibly get wrong. */
export function validateCrd(crd: KubeObject): FieldError[] {
  const spec = crd.spec;
  if (!isObject(spec) || !isObject(spec.names) || !Array.isArray(spec.versions)) {
    return [{ type: 'FieldValueRequired', field: 'spec', detail: 'group, names and versions are required' }];
  }
  const { group, names, versions } = specOf(crd);
  const errors: FieldError[] = [];
  const expected = `${names.plural}.${group}`;
  if (crd.metadata.name !== expected) {
    errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: crd.metadata.name, detail: 'must be spec.names.plural+"."+spec.group' });
  }
  if (versions.filter((v) => v.storage).length !== 1) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: versions.map((v) => v.name), detail: 'must have exactly one version marked as storage version' });
  }
  return errors;
}

/** Fills the fields the apiserver defaults on CRDs. */
export function defaultCrd(crd: KubeObject): void {
  const spec = specOf(crd);
  spec.names.singular ??= spec.names.kind.toLowerCase();
  spec.names.listKind ??= `${spec.names.kind}List`;
  const raw = crd.spec as Record<string, unknown>;
  raw.conversion ??= { strategy: 'None' };
}

/** The resource types a CRD serves, preferred version first. */
export function crdResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = specOf(crd);
  const names = spec.names;
  return spec.versions
    .filter((v) => v.served)
    .sort((a, b) => compareKubeVersions(a.name, b.name))
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      statusSubresource: v.subresources?.status !== undefined,
      tracksGeneration: true,
      unconditionalUpdate: false,
      returnsDeletedObject: true,
      strategicMerge: false,
      custom: {
        crdName: crd.metadata.name!,
        schema: v.schema?.openAPIV3Schema,
        printerColumns: v.additionalPrinterColumns ?? [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
      },
    }));
}

/** The status the apiextensions controllers would publish for the CRD. */
export function crdStatus(crd: KubeObject, now: string): Record<string, unknown> {
  const spec = specOf(crd);
  const condition = (type: string, reason: string, message: string): Record<string, unknown> => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    acceptedNames: { ...spec.names },
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}
