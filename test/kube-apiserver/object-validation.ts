// SPDX-License-Identifier: MIT
// What the apiserver checks on every write: metadata names, finalizers after deletion, and for
// custom resources pruning, defaulting, OpenAPI and CEL validation.

import type { CelValidator } from './cel-rules.js';
import type { FieldError } from './field-errors.js';
import type { KubeObject } from './json-value.js';
import type { ResourceType } from './resource-type.js';
import { applyDefaults } from './schema-default.js';
import { pruneObject } from './schema-prune.js';
import { validateSchema } from './schema-validate.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `metadata.name` checks: required, and an RFC 1123 subdomain (a label for namespaces). */
export function validateName(type: ResourceType, name: string | undefined): FieldError[] {
  if (name === undefined || name === '') {
    return [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }];
  }
  if (type.kind === 'Namespace') {
    if (name.length <= 63 && LABEL.test(name)) return [];
    return [{
      type: 'FieldValueInvalid',
      field: 'metadata.name',
      value: name,
      detail: `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    }];
  }
  if (name.length <= 253 && SUBDOMAIN.test(name)) return [];
  return [{
    type: 'FieldValueInvalid',
    field: 'metadata.name',
    value: name,
    detail: `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  }];
}

/** No finalizer may be added once `deletionTimestamp` is set. */
export function validateFinalizers(old: KubeObject, next: KubeObject): FieldError[] {
  if (old.metadata.deletionTimestamp === undefined) return [];
  const before = new Set(old.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  if (added.length === 0) return [];
  return [{
    type: 'FieldValueForbidden',
    field: 'metadata.finalizers',
    detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
  }];
}

const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/** The error the apiserver adds, with a nil path and value, when CEL rules were skipped. */
const RULES_NOT_CHECKED: FieldError = {
  type: 'FieldValueInvalid',
  field: '<nil>',
  value: 'null',
  detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
};

/** The outcome of custom-resource admission: field errors and the paths pruning dropped. */
export interface SchemaOutcome {
  errors: FieldError[];
  pruned: string[];
}

/** Prunes, defaults and validates a custom resource in place (no-op for built-ins). */
export function admitCustomResource(type: ResourceType, object: KubeObject, old: KubeObject | undefined, cel: CelValidator): SchemaOutcome {
  const schema = type.custom?.schema;
  if (schema === undefined) return { errors: [], pruned: [] };
  const pruned = pruneObject(object, schema);
  applyDefaults(object, schema);
  const errors = validateSchema(object, schema);
  // Like the apiserver, CEL rules are skipped when the schema already found a blocking error.
  if (errors.some((e) => BLOCKING.has(e.type))) return { errors: [...errors, RULES_NOT_CHECKED], pruned };
  return { errors: [...errors, ...cel.validate(object, old, schema)], pruned };
}
