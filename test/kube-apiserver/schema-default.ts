// SPDX-License-Identifier: MIT
// Structural defaulting: fills absent properties from the schema's `default`s, depth first.

import { clone, isObject, type JsonObject } from './json-value.js';
import type { JsonSchema } from './json-schema.js';

/** Applies the schema's defaults to `object` in place (metadata is never defaulted). */
export function applyDefaults(object: JsonObject, schema: JsonSchema | undefined): void {
  if (schema === undefined) return;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (key === 'metadata' || key === 'apiVersion' || key === 'kind') continue;
    defaultProperty(object, key, sub);
  }
}

function defaultProperty(parent: JsonObject, key: string, schema: JsonSchema): void {
  if (!(key in parent) && schema.default !== undefined) parent[key] = clone(schema.default);
  defaultValue(parent[key], schema);
}

function defaultValue(value: unknown, schema: JsonSchema): void {
  if (Array.isArray(value)) {
    if (schema.items !== undefined) value.forEach((item) => defaultValue(item, schema.items!));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) defaultProperty(value, key, sub);
  if (typeof schema.additionalProperties === 'object') {
    for (const key of Object.keys(value)) defaultValue(value[key], schema.additionalProperties);
  }
}
