// SPDX-License-Identifier: MIT
// Field ownership sets for managedFields: leaf paths of an object, their FieldsV1 encoding and
// the ".spec.a[type=\"x\"]" rendering structured-merge-diff uses in conflict messages.

import { deepEqual, isObject, type JsonObject } from './json-value.js';
import { propertySchema, type JsonSchema } from './json-schema.js';

/** One path element: `f:<field>`, `k:<json of key fields>` (list-map item) or `v:<json>` (set item). */
export type FieldPath = string[];

/** List semantics for a list node: atomic, set, or map with keys. */
function listKind(schema: JsonSchema | undefined, field: string | undefined): { kind: 'atomic' | 'set' | 'map'; keys: string[] } {
  if (schema?.['x-kubernetes-list-type'] === 'map') return { kind: 'map', keys: schema['x-kubernetes-list-map-keys'] ?? [] };
  if (schema?.['x-kubernetes-list-type'] === 'set') return { kind: 'set', keys: [] };
  if (schema === undefined && field === 'finalizers') return { kind: 'set', keys: [] };
  if (schema === undefined && field === 'ownerReferences') return { kind: 'map', keys: ['uid'] };
  if (schema === undefined && field === 'conditions') return { kind: 'map', keys: ['type'] };
  return { kind: 'atomic', keys: [] };
}

function itemKey(item: unknown, keys: string[]): string {
  const fields = Object.fromEntries(keys.map((k) => [k, isObject(item) ? item[k] : undefined]));
  return `k:${JSON.stringify(fields)}`;
}

function subSchema(schema: JsonSchema | undefined, field: string): JsonSchema | undefined {
  return schema === undefined ? undefined : propertySchema(schema, field);
}

/** Every leaf path of `value` (scalars, atomic lists, empty maps, set items). */
export function leafPaths(value: unknown, schema: JsonSchema | undefined, prefix: FieldPath = [], field?: string): FieldPath[] {
  if (Array.isArray(value)) {
    const list = listKind(schema, field);
    if (list.kind === 'atomic') return [prefix];
    if (list.kind === 'set') return value.map((item) => [...prefix, `v:${JSON.stringify(item)}`]);
    return value.flatMap((item) => {
      const itemPath = [...prefix, itemKey(item, list.keys)];
      return isObject(item) ? objectLeaves(item, schema?.items, itemPath) : [itemPath];
    });
  }
  if (isObject(value) && schema?.['x-kubernetes-map-type'] !== 'atomic') {
    return Object.keys(value).length === 0 ? [prefix] : objectLeaves(value, schema, prefix);
  }
  return [prefix];
}

function objectLeaves(value: JsonObject, schema: JsonSchema | undefined, prefix: FieldPath): FieldPath[] {
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, subSchema(schema, k), [...prefix, `f:${k}`], k));
}

/** The value at `path` in `root`, or undefined. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let value = root;
  for (const element of path) {
    value = step(value, element);
    if (value === undefined) return undefined;
  }
  return value;
}

function step(value: unknown, element: string): unknown {
  const body = element.slice(2);
  if (element.startsWith('f:')) return isObject(value) ? value[body] : undefined;
  if (!Array.isArray(value)) return undefined;
  if (element.startsWith('v:')) return value.find((item) => deepEqual(item, JSON.parse(body)));
  const keys = JSON.parse(body) as JsonObject;
  return value.find((item) => isObject(item) && Object.entries(keys).every(([k, v]) => deepEqual(item[k], v)));
}

/** Removes whatever is at `path` in `root` (in place). */
export function deleteAt(root: unknown, path: FieldPath): void {
  const parent = valueAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (last.startsWith('f:') && isObject(parent)) {
    delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const target = step(parent, last);
    const index = parent.indexOf(target);
    if (index >= 0) parent.splice(index, 1);
  }
}

/** Renders a path as structured-merge-diff does: `.spec.replicas`, `[type="Ready"]`, `[="x"]`. */
export function pathText(path: FieldPath): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith('f:')) return `.${body}`;
      if (element.startsWith('v:')) return `[=${body}]`;
      const keys = JSON.parse(body) as JsonObject;
      return `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}

/** Encodes leaf paths as a FieldsV1 object (list-map items also get their "." entry). */
export function encodeFieldsV1(paths: readonly FieldPath[]): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const element of path) {
      const child = (node[element] ?? {}) as JsonObject;
      node[element] = child;
      if (element.startsWith('k:')) child['.'] = {};
      node = child;
    }
  }
  return root;
}

/** Decodes a FieldsV1 object back into leaf paths ("." entries are implied by their children). */
export function decodeFieldsV1(fields: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isObject(fields)) return [];
  const children = Object.entries(fields).filter(([k]) => k !== '.');
  if (children.length === 0) return prefix.length === 0 ? [] : [prefix];
  return children.flatMap(([k, v]) => decodeFieldsV1(v, [...prefix, k]));
}

/** A stable string form of a path for set membership. */
export function pathId(path: FieldPath): string {
  return JSON.stringify(path);
}
