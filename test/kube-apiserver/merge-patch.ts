// SPDX-License-Identifier: MIT
// JSON merge patch (RFC 7386): objects merge, `null` deletes, arrays and scalars replace.

import { clone, isObject } from './json-value.js';

/** The result of applying `patch` to `target` (neither is modified). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
