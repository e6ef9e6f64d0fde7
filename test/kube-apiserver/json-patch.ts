// SPDX-License-Identifier: MIT
// JSON patch (RFC 6902): add, remove, replace, move, copy and test on a copy of the document.

import { clone, deepEqual, isObject } from './json-value.js';

/** Why a patch could not be applied; `test` failures are told apart for the 422 the server sends. */
export class JsonPatchError extends Error {
  /** `testFailed` marks a failed `test` operation. */
  constructor(
    message: string,
    readonly testFailed = false,
  ) {
    super(message);
  }
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveParent(doc: unknown, pointer: string): { parent: unknown; key: string } {
  const parts = tokens(pointer);
  if (parts.length === 0) throw new JsonPatchError('the root cannot be patched in place');
  let parent = doc;
  for (const part of parts.slice(0, -1)) {
    parent = Array.isArray(parent) ? parent[Number(part)] : isObject(parent) ? parent[part] : undefined;
    if (parent === undefined) throw new JsonPatchError(`doc is missing path: ${JSON.stringify(pointer)}`);
  }
  return { parent, key: parts[parts.length - 1] };
}

function read(doc: unknown, pointer: string): unknown {
  let value = doc;
  for (const part of tokens(pointer)) {
    value = Array.isArray(value) ? value[Number(part)] : isObject(value) ? value[part] : undefined;
    if (value === undefined) throw new JsonPatchError(`doc is missing path: ${JSON.stringify(pointer)}`);
  }
  return value;
}

function add(doc: unknown, pointer: string, value: unknown): void {
  const { parent, key } = resolveParent(doc, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new JsonPatchError(`invalid index ${key}`);
    parent.splice(index, 0, value);
  } else if (isObject(parent)) {
    parent[key] = value;
  } else {
    throw new JsonPatchError(`doc is missing path: ${JSON.stringify(pointer)}`);
  }
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, key } = resolveParent(doc, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw new JsonPatchError(`unable to remove nonexistent key: ${key}`);
    return parent.splice(index, 1)[0];
  }
  if (!isObject(parent) || !(key in parent)) throw new JsonPatchError(`unable to remove nonexistent key: ${key}: missing value`);
  const old = parent[key];
  delete parent[key];
  return old;
}

/** Applies `operations` to a copy of `document`; throws JsonPatchError on failure. */
export function applyJsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new JsonPatchError('a JSON patch must be an array of operations');
  const doc = clone(document);
  for (const raw of operations as Operation[]) {
    switch (raw.op) {
      case 'add':
        add(doc, raw.path, clone(raw.value));
        break;
      case 'remove':
        remove(doc, raw.path);
        break;
      case 'replace':
        remove(doc, raw.path);
        add(doc, raw.path, clone(raw.value));
        break;
      case 'move':
        add(doc, raw.path, remove(doc, raw.from ?? ''));
        break;
      case 'copy':
        add(doc, raw.path, clone(read(doc, raw.from ?? '')));
        break;
      case 'test':
        if (!deepEqual(read(doc, raw.path), raw.value)) throw new JsonPatchError(`testing value ${raw.path} failed: test failed`, true);
        break;
      default:
        throw new JsonPatchError(`Unexpected kind: ${String(raw.op)}`);
    }
  }
  return doc;
}
