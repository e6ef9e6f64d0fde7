// SPDX-License-Identifier: MIT
// A reduced strategic merge patch for built-in kinds: merge patch, plus merging of the lists the
// built-ins declare with a merge key, `$patch` directives, and `$setElementOrder`/`$retainKeys` ignored.

import { clone, isObject, type JsonObject } from './json-value.js';

/** Merge keys of the built-in lists that strategic merge patch merges instead of replacing. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
};

/** Primitive lists merged as sets. */
const SET_LISTS = new Set(['finalizers']);

function mergeList(key: string, target: unknown, patch: unknown[]): unknown[] {
  const current = Array.isArray(target) ? clone(target) : [];
  if (SET_LISTS.has(key)) return [...new Set([...(current as unknown[]), ...patch])];
  const mergeKey = MERGE_KEYS[key];
  if (mergeKey === undefined) return clone(patch);
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = current.findIndex((c) => isObject(c) && c[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) current.splice(index, 1);
    } else if (index >= 0) {
      current[index] = applyStrategicMergePatch(current[index], item);
    } else {
      current.push(applyStrategicMergePatch({}, item));
    }
  }
  return current;
}

/** Applies a strategic merge patch to `target` (neither is modified). */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return clone(Object.fromEntries(Object.entries(patch).filter(([k]) => k !== '$patch')));
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const list = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[list];
      if (Array.isArray(current) && Array.isArray(value)) result[list] = current.filter((v) => !value.includes(v));
      continue;
    }
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else if (isObject(value) && value.$patch === 'delete') delete result[key];
    else result[key] = applyStrategicMergePatch(result[key], value);
  }
  return result;
}
