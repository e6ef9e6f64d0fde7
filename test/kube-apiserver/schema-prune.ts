// SPDX-License-Identifier: MIT
// Structural pruning: drops fields the schema does not declare, unless it preserves unknown fields.

import { isObject, type JsonObject } from './json-value.js';
import { childPath, type JsonSchema } from './json-schema.js';

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers',
  'managedFields',
]);

/**
 * Prunes `object` in place against the CRD's root schema and returns the dotted paths of what was
 * dropped (for `fieldValidation=Strict|Warn`). `apiVersion`, `kind` and standard metadata always stay.
 */
export function pruneObject(object: JsonObject, schema: JsonSchema | undefined): string[] {
  const pruned: string[] = [];
  if (schema === undefined) return pruned;
  const metadata = object.metadata;
  if (isObject(metadata)) {
    for (const key of Object.keys(metadata)) {
      if (!OBJECT_META_FIELDS.has(key)) {
        delete metadata[key];
        pruned.push(`metadata.${key}`);
      }
    }
  }
  for (const key of Object.keys(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    const sub = schema.properties?.[key];
    if (sub === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      delete object[key];
      pruned.push(key);
    } else if (sub !== undefined) {
      pruneValue(object, key, sub, key, pruned);
    }
  }
  return pruned;
}

function pruneValue(parent: JsonObject | unknown[], key: string | number, schema: JsonSchema, path: string, pruned: string[]): void {
  const value = (parent as Record<string | number, unknown>)[key];
  if (value === null) {
    if (schema.nullable !== true && !Array.isArray(parent)) delete (parent)[key as string];
    return;
  }
  if (Array.isArray(value)) {
    if (schema.items !== undefined) value.forEach((_, i) => pruneValue(value, i, schema.items!, `${path}[${i}]`, pruned));
    return;
  }
  if (!isObject(value)) return;
  if (schema['x-kubernetes-embedded-resource'] === true) return;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const k of Object.keys(value)) {
    const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (sub !== undefined) {
      pruneValue(value, k, sub, childPath(path, k), pruned);
    } else if (!preserve && schema.additionalProperties !== true) {
      delete value[k];
      pruned.push(childPath(path, k));
    }
  }
}
