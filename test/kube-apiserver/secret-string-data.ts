// SPDX-License-Identifier: MIT
// The real API server's conversion of a v1 Secret's write-only `stringData`: each value is encoded
// into `data` (winning over a `data` entry of the same key) and `stringData` is never stored.

import { isObject, type KubeObject } from './json-value.js';
import type { ResourceType } from './resource-type.js';

/** Folds `stringData` into `data` for core v1 Secrets; other objects are left alone. */
export function foldSecretStringData(type: ResourceType, object: KubeObject): void {
  if (type.group !== '' || type.kind !== 'Secret' || !isObject(object.stringData)) return;
  const data: Record<string, unknown> = isObject(object.data) ? { ...object.data } : {};
  for (const [key, value] of Object.entries(object.stringData)) {
    if (typeof value === 'string') data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  object.data = data;
  delete object.stringData;
}
