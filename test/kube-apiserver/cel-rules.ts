// SPDX-License-Identifier: MIT
// Evaluates a CRD's `x-kubernetes-validations` rules, transition rules included, into field errors
// worded as the apiserver words them ("spec: Invalid value: \"object\": <message>").

import type { Environment } from '@marcbachmann/cel-js';
import type { FieldError } from './field-errors.js';
import { isObject } from './json-value.js';
import { propertySchema, type JsonSchema, type ValidationRule } from './json-schema.js';

/** Converts a JSON value into the CEL value the schema implies (integers become `int`). */
function toCel(value: unknown, schema: JsonSchema | undefined): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v, schema === undefined ? undefined : propertySchema(schema, k))]));
  }
  return value;
}

/** Renders a rule's `fieldPath` (".a.b", "['k']", "[0]") below `base`. */
function joinFieldPath(base: string, fieldPath: string): string {
  let path = base;
  for (const match of fieldPath.matchAll(/\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\]/g)) {
    if (match[1] !== undefined) path = path === '' ? match[1] : `${path}.${match[1]}`;
    else path += `[${match[2] ?? match[3]}]`;
  }
  return path;
}

function ruleErrorString(rule: ValidationRule): string {
  return (rule.message ?? '').trim() || rule.rule.trim();
}

/** Runs every rule in the schema tree against `value` (and `old` for transition rules). */
export class CelValidator {
  private readonly errors: FieldError[] = [];

  /** Binds the validator to one environment. */
  constructor(private readonly env: Environment) {}

  /** Validates the object's non-metadata properties; `old` is the stored object on update. */
  validate(object: Record<string, unknown>, old: Record<string, unknown> | undefined, schema: JsonSchema | undefined): FieldError[] {
    if (schema === undefined) return [];
    this.errors.length = 0;
    const root = Object.fromEntries(Object.entries(object).filter(([k]) => k !== 'metadata'));
    const oldRoot = old === undefined ? undefined : Object.fromEntries(Object.entries(old).filter(([k]) => k !== 'metadata'));
    this.walk(root, oldRoot, schema, '', old !== undefined);
    return [...this.errors];
  }

  private walk(value: unknown, old: unknown, schema: JsonSchema, path: string, hasOld: boolean): void {
    for (const rule of schema['x-kubernetes-validations'] ?? []) this.check(rule, { value, old, hasOld, schema, path });
    if (Array.isArray(value)) {
      if (schema.items === undefined) return;
      const keys = schema['x-kubernetes-list-type'] === 'map' ? schema['x-kubernetes-list-map-keys'] ?? [] : undefined;
      value.forEach((item, i) => {
        const oldItem = keys !== undefined && Array.isArray(old) ? (old as unknown[]).find((o) => keys.every((k) => isObject(o) && isObject(item) && o[k] === item[k])) : undefined;
        this.walk(item, oldItem, schema.items!, `${path}[${i}]`, oldItem !== undefined);
      });
      return;
    }
    if (!isObject(value)) return;
    for (const [key, item] of Object.entries(value)) {
      const sub = propertySchema(schema, key);
      if (sub === undefined) continue;
      const childPathText = schema.properties?.[key] !== undefined ? (path === '' ? key : `${path}.${key}`) : `${path}[${key}]`;
      const oldItem = isObject(old) ? old[key] : undefined;
      this.walk(item, oldItem, sub, childPathText, hasOld && isObject(old) && key in old);
    }
  }

  private check(rule: ValidationRule, node: { value: unknown; old: unknown; hasOld: boolean; schema: JsonSchema; path: string }): void {
    const { value, old, hasOld, schema, path } = node;
    const transition = /\boldSelf\b/.test(rule.rule);
    if (transition && !hasOld) return;
    const context = { self: toCel(value, schema), oldSelf: transition ? toCel(old, schema) : undefined };
    const errorPath = rule.fieldPath !== undefined ? joinFieldPath(path, rule.fieldPath) : path;
    const valueType = schema.type ?? '';
    let passed: unknown;
    try {
      passed = this.env.evaluate(rule.rule, context) as unknown;
    } catch (err) {
      const cause = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      this.errors.push({ type: 'FieldValueInvalid', field: path, value: valueType, detail: `${cause} evaluating rule: ${ruleErrorString(rule)}` });
      return;
    }
    if (passed === true) return;
    const detail = this.messageFor(rule, context);
    const type = rule.reason ?? 'FieldValueInvalid';
    if (type === 'FieldValueInvalid' || type === 'FieldValueDuplicate') {
      this.errors.push({ type, field: errorPath, value: valueType, detail: type === 'FieldValueDuplicate' ? '' : detail });
    } else {
      this.errors.push({ type, field: errorPath, detail });
    }
  }

  private messageFor(rule: ValidationRule, context: Record<string, unknown>): string {
    if (rule.messageExpression !== undefined) {
      try {
        const message: unknown = this.env.evaluate(rule.messageExpression, context);
        if (typeof message === 'string' && message.trim() !== '' && !message.includes('\n')) return message.trim();
      } catch {
        // The apiserver falls back to the static message when messageExpression fails.
      }
    }
    const message = (rule.message ?? '').trim();
    return message !== '' ? message : `failed rule: ${rule.rule.trim()}`;
  }
}
