// SPDX-License-Identifier: MIT
// OpenAPI schema validation of custom resources with the apiserver's field error wording.

import type { FieldError } from './field-errors.js';
import { deepEqual, isObject } from './json-value.js';
import { childPath, propertySchema, type JsonSchema } from './json-schema.js';
import { matchesFormat } from './schema-formats.js';

/** Validates everything below the root except `metadata`, `apiVersion` and `kind`. */
export function validateSchema(object: Record<string, unknown>, schema: JsonSchema | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (schema === undefined) return errors;
  for (const name of schema.required ?? []) {
    if (!(name in object)) errors.push({ type: 'FieldValueRequired', field: name, detail: '' });
  }
  for (const [key, value] of Object.entries(object)) {
    if (key === 'metadata' || key === 'apiVersion' || key === 'kind') continue;
    const sub = schema.properties?.[key];
    if (sub !== undefined) validateNode(value, sub, key, errors);
  }
  return errors;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(schema: JsonSchema, value: unknown): boolean {
  const actual = jsonTypeOf(value);
  if (schema['x-kubernetes-int-or-string'] === true) return actual === 'integer' || actual === 'string';
  if (schema.type === undefined) return true;
  if (actual === 'null') return schema.nullable === true;
  if (schema.type === 'number') return actual === 'number' || actual === 'integer';
  return schema.type === actual;
}

function validateNode(value: unknown, schema: JsonSchema, path: string, errors: FieldError[]): void {
  if (!typeMatches(schema, value)) {
    const wanted = schema['x-kubernetes-int-or-string'] === true ? 'integer,string' : schema.type!;
    const actual = jsonTypeOf(value);
    errors.push({ type: 'FieldValueTypeInvalid', field: path, value: actual, detail: `${path} in body must be of type ${wanted}: ${JSON.stringify(actual)}` });
    return;
  }
  if (value === null) return;
  if (schema.enum !== undefined && !schema.enum.some((allowed) => deepEqual(allowed, value))) {
    const supported = schema.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    errors.push({ type: 'FieldValueNotSupported', field: path, value, detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` });
  }
  if (typeof value === 'string') validateString(value, schema, path, errors);
  else if (typeof value === 'number') validateNumber(value, schema, path, errors);
  else if (Array.isArray(value)) validateArray(value, schema, path, errors);
  else if (isObject(value)) validateObject(value, schema, path, errors);
}

function validateString(value: string, schema: JsonSchema, path: string, errors: FieldError[]): void {
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    errors.push({ type: 'FieldValueTooLong', field: path, value, detail: `may not be longer than ${schema.maxLength}` });
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should be at least ${schema.minLength} chars long` });
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
    errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should match '${schema.pattern}'` });
  }
  if (schema.format !== undefined && !matchesFormat(schema.format, value)) {
    errors.push({ type: 'FieldValueTypeInvalid', field: path, value, detail: `${path} in body must be of type ${schema.format}: ${JSON.stringify(value)}` });
  }
}

function validateNumber(value: number, schema: JsonSchema, path: string, errors: FieldError[]): void {
  const { minimum, maximum } = schema;
  if (maximum !== undefined && (schema.exclusiveMaximum === true ? value >= maximum : value > maximum)) {
    const relation = schema.exclusiveMaximum === true ? 'less than' : 'less than or equal to';
    errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should be ${relation} ${maximum}` });
  }
  if (minimum !== undefined && (schema.exclusiveMinimum === true ? value <= minimum : value < minimum)) {
    const relation = schema.exclusiveMinimum === true ? 'greater than' : 'greater than or equal to';
    errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should be ${relation} ${minimum}` });
  }
  if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) {
    errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should be a multiple of ${schema.multipleOf}` });
  }
}

function validateArray(value: unknown[], schema: JsonSchema, path: string, errors: FieldError[]): void {
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    errors.push({ type: 'FieldValueTooMany', field: path, value: value.length, detail: `must have at most ${schema.maxItems} items` });
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errors.push({ type: 'FieldValueInvalid', field: path, value: value.length, detail: `${path} in body should have at least ${schema.minItems} items` });
  }
  if (schema['x-kubernetes-list-type'] === 'set' || schema.uniqueItems === true) {
    value.forEach((item, i) => {
      if (value.findIndex((other) => deepEqual(other, item)) < i) {
        errors.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, value: item, detail: '' });
      }
    });
  }
  if (schema.items !== undefined) value.forEach((item, i) => validateNode(item, schema.items!, `${path}[${i}]`, errors));
}

function validateObject(value: Record<string, unknown>, schema: JsonSchema, path: string, errors: FieldError[]): void {
  for (const name of schema.required ?? []) {
    if (!(name in value)) errors.push({ type: 'FieldValueRequired', field: childPath(path, name), detail: '' });
  }
  const count = Object.keys(value).length;
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    errors.push({ type: 'FieldValueTooMany', field: path, value: count, detail: `must have at most ${schema.maxProperties} items` });
  }
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    errors.push({ type: 'FieldValueInvalid', field: path, value: count, detail: `${path} in body should have at least ${schema.minProperties} properties` });
  }
  for (const [key, item] of Object.entries(value)) {
    const sub = propertySchema(schema, key);
    if (sub !== undefined) validateNode(item, sub, childPath(path, key), errors);
  }
}
