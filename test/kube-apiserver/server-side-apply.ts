// SPDX-License-Identifier: MIT
// Server-side apply with per-leaf ownership: merge the applied configuration, drop fields the
// manager stopped applying, and report conflicts with other managers unless forced.

import { deleteAt, pathId, pathText, valueAt, type FieldPath } from './field-set.js';
import { clone, deepEqual, isObject, type JsonObject, type KubeObject, type ManagedFieldsEntry } from './json-value.js';
import { propertySchema, type JsonSchema } from './json-schema.js';
import { ownerEntry, readOwnership, trackedPaths, writeOwnership, type OwnershipScope } from './managed-fields.js';
import { ApiError } from './status-error.js';

/** Who applies, and how. */
export interface ApplyRequest {
  manager: string;
  apiVersion: string;
  force: boolean;
  time: string;
  scope: OwnershipScope;
}

function mergeApplied(live: unknown, applied: unknown, schema: JsonSchema | undefined, field?: string): unknown {
  if (Array.isArray(applied)) {
    const listType = schema?.['x-kubernetes-list-type'] ?? (field === 'finalizers' ? 'set' : field === 'conditions' ? 'map' : 'atomic');
    if (listType === 'atomic' || !Array.isArray(live)) return clone(applied);
    if (listType === 'set') return [...(live as unknown[]), ...(applied as unknown[]).filter((a) => !(live as unknown[]).some((l) => deepEqual(l, a)))];
    const keys = schema?.['x-kubernetes-list-map-keys'] ?? ['type'];
    const result = clone(live);
    for (const item of applied) {
      const index = result.findIndex((l) => isObject(l) && isObject(item) && keys.every((k) => deepEqual(l[k], item[k])));
      if (index >= 0) result[index] = mergeApplied(result[index], item, schema?.items);
      else result.push(clone(item));
    }
    return result;
  }
  if (isObject(applied) && schema?.['x-kubernetes-map-type'] !== 'atomic') {
    const result: JsonObject = isObject(live) ? clone(live) : {};
    for (const [k, v] of Object.entries(applied)) {
      result[k] = mergeApplied(result[k], v, schema === undefined ? undefined : propertySchema(schema, k), k);
    }
    return result;
  }
  return clone(applied);
}

/** How structured-merge-diff names a manager: Update managers carry their apiVersion. */
function managerText(entry: ManagedFieldsEntry): string {
  const name = JSON.stringify(entry.manager);
  const withSubresource = entry.subresource === undefined ? name : `${name} with subresource ${JSON.stringify(entry.subresource)}`;
  return entry.operation === 'Update' ? `${withSubresource} using ${entry.apiVersion}` : withSubresource;
}

function conflictError(conflicts: { manager: string; path: FieldPath }[]): ApiError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: pathText(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${conflicts[0].manager}: ${pathText(conflicts[0].path)}`;
  } else {
    const managers = [...new Set(conflicts.map((c) => c.manager))].sort();
    const lines = managers.flatMap((m) => [
      `conflicts with ${m}:`,
      ...conflicts.filter((c) => c.manager === m).map((c) => `- ${pathText(c.path)}`),
    ]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** The object after applying `config` over `live` (undefined: create); throws 409 on conflicts. */
export function serverSideApply(live: KubeObject | undefined, config: KubeObject, schema: JsonSchema | undefined, request: ApplyRequest): KubeObject {
  const owners = readOwnership(live);
  const appliedPaths = trackedPaths(config, schema, request.scope);
  const conflicts: { manager: string; path: FieldPath }[] = [];
  for (const owner of owners) {
    if (owner.entry.manager === request.manager) continue;
    for (const path of appliedPaths) {
      if (!owner.paths.has(pathId(path))) continue;
      const current = valueAt(live, path);
      if (current === undefined || deepEqual(current, valueAt(config, path))) continue;
      if (request.force) owner.paths.delete(pathId(path));
      else conflicts.push({ manager: managerText(owner.entry), path });
    }
  }
  if (conflicts.length > 0) throw conflictError(conflicts);

  const base: KubeObject = live === undefined ? { apiVersion: config.apiVersion, kind: config.kind, metadata: {} } : clone(live);
  const configWithoutMeta = Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'metadata'));
  const merged = mergeApplied(base, configWithoutMeta, schema) as KubeObject;
  const configMeta = Object.fromEntries(Object.entries(config.metadata).filter(([k]) => k !== 'managedFields' && k !== 'resourceVersion'));
  merged.metadata = mergeApplied(base.metadata, configMeta, undefined) as KubeObject['metadata'];

  const mine = ownerEntry(owners, { manager: request.manager, operation: 'Apply', apiVersion: request.apiVersion, subresource: request.scope.subresource, time: request.time });
  const appliedIds = new Set(appliedPaths.map(pathId));
  for (const [id, path] of mine.paths) {
    if (appliedIds.has(id)) continue;
    const ownedElsewhere = owners.some((o) => o !== mine && o.paths.has(id));
    if (!ownedElsewhere) deleteAt(merged, path);
  }
  const before = new Set(mine.paths.keys());
  mine.paths = new Map(appliedPaths.map((p) => [pathId(p), p]));
  const changedSet = before.size !== appliedIds.size || [...appliedIds].some((id) => !before.has(id));
  if (changedSet || mine.entry.time === undefined) mine.entry.time = request.time;
  writeOwnership(merged, owners);
  return merged;
}
