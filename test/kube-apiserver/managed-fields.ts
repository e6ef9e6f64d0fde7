// SPDX-License-Identifier: MIT
// metadata.managedFields bookkeeping: which manager owns which leaf, for Update and Apply operations.

import { decodeFieldsV1, encodeFieldsV1, leafPaths, pathId, valueAt, type FieldPath } from './field-set.js';
import { deepEqual, type KubeObject, type ManagedFieldsEntry } from './json-value.js';
import type { JsonSchema } from './json-schema.js';

const UNTRACKED_METADATA = new Set([
  'name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'generateName',
]);

/** Which part of an object a write may own: the main resource or the status subresource. */
export interface OwnershipScope {
  subresource?: 'status';
  /** Whether the resource has a status subresource (then the main resource does not own status). */
  statusSubresource: boolean;
}

/** The leaf paths of `object` that managedFields track in `scope`. */
export function trackedPaths(object: KubeObject, schema: JsonSchema | undefined, scope: OwnershipScope): FieldPath[] {
  return leafPaths(object, schema).filter((path) => {
    const [top, second] = path;
    if (top === 'f:apiVersion' || top === 'f:kind') return false;
    if (top === 'f:metadata' && (second === undefined || UNTRACKED_METADATA.has(second.slice(2)))) return false;
    if (scope.subresource === 'status') return top === 'f:status';
    return !(scope.statusSubresource && top === 'f:status');
  });
}

/** A managedFields entry with its decoded leaf set. */
export interface Ownership {
  entry: ManagedFieldsEntry;
  paths: Map<string, FieldPath>;
}

/** Decodes `metadata.managedFields`. */
export function readOwnership(object: KubeObject | undefined): Ownership[] {
  return (object?.metadata.managedFields ?? []).map((entry) => ({
    entry,
    paths: new Map(decodeFieldsV1(entry.fieldsV1).map((p) => [pathId(p), p])),
  }));
}

/** Encodes ownership back into `metadata.managedFields` (entries owning nothing are dropped). */
export function writeOwnership(object: KubeObject, owners: Ownership[]): void {
  const entries = owners
    .filter((o) => o.paths.size > 0)
    .map((o) => ({ ...o.entry, fieldsType: 'FieldsV1' as const, fieldsV1: encodeFieldsV1([...o.paths.values()]) }));
  if (entries.length > 0) object.metadata.managedFields = entries;
  else delete object.metadata.managedFields;
}

/** Finds or creates the entry for one manager/operation/subresource. */
export function ownerEntry(owners: Ownership[], identity: Omit<ManagedFieldsEntry, 'fieldsType' | 'fieldsV1'>): Ownership {
  const found = owners.find(
    (o) => o.entry.manager === identity.manager && o.entry.operation === identity.operation && o.entry.subresource === identity.subresource,
  );
  if (found !== undefined) {
    found.entry = { ...found.entry, apiVersion: identity.apiVersion };
    return found;
  }
  const created: Ownership = { entry: { ...identity, fieldsType: 'FieldsV1', fieldsV1: {} }, paths: new Map() };
  owners.push(created);
  return created;
}

/** Records a non-apply write: the writer takes every leaf it changed, others lose them. */
export function recordUpdate(
  old: KubeObject | undefined,
  next: KubeObject,
  identity: Omit<ManagedFieldsEntry, 'fieldsType' | 'fieldsV1' | 'operation'>,
  schema: JsonSchema | undefined,
  scope: OwnershipScope,
): void {
  const owners = readOwnership(old);
  const newPaths = trackedPaths(next, schema, scope);
  const oldPaths = old === undefined ? [] : trackedPaths(old, schema, scope);
  const changed = newPaths.filter((p) => old === undefined || !deepEqual(valueAt(old, p), valueAt(next, p)));
  const newIds = new Set(newPaths.map(pathId));
  const removed = oldPaths.filter((p) => !newIds.has(pathId(p)));
  if (changed.length === 0 && removed.length === 0) {
    writeOwnership(next, owners);
    return;
  }
  for (const owner of owners) {
    for (const p of [...changed, ...removed]) owner.paths.delete(pathId(p));
  }
  const mine = ownerEntry(owners, { ...identity, operation: 'Update' });
  for (const p of changed) mine.paths.set(pathId(p), p);
  mine.entry.time = identity.time;
  writeOwnership(next, owners);
}
