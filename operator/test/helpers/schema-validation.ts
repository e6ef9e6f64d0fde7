// SPDX-License-Identifier: MIT
// Validates objects against a CRD's openAPIV3Schema the way the API server does, minus defaulting:
// the OpenAPI keywords with ajv, then every x-kubernetes-validations rule with a CEL evaluator.

import { evaluate } from '@marcbachmann/cel-js';
import { Ajv } from 'ajv';

import type { OpenApiSchema } from '../../src/api/v1alpha1/openapi.js';

/** One rejection: where, and the message the API server would print. */
export interface Rejection {
  readonly path: string;
  readonly message: string;
}

function openApiRejections(schema: OpenApiSchema, object: unknown): Rejection[] {
  const ajv = new Ajv({ allErrors: true, formats: { 'date-time': true } });
  for (const keyword of ['x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys']) ajv.addKeyword(keyword);
  const validate = ajv.compile(schema);
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? e.keyword }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function celRejections(schema: OpenApiSchema, value: unknown, old: unknown, path: string, out: Rejection[]): void {
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const transition = rule.rule.includes('oldSelf');
    if (transition && old === undefined) continue;
    let passed: unknown;
    try {
      passed = evaluate(rule.rule, transition ? { self: value, oldSelf: old } : { self: value });
    } catch (error) {
      passed = `error: ${(error as Error).message}`;
    }
    if (passed !== true) out.push({ path: path + (rule.fieldPath ?? ''), message: rule.message ?? rule.rule });
  }
  if (isRecord(value) && schema.properties) {
    for (const [name, child] of Object.entries(schema.properties)) {
      if (value[name] !== undefined) celRejections(child, value[name], isRecord(old) ? old[name] : undefined, `${path}/${name}`, out);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => celRejections(schema.items as OpenApiSchema, item, undefined, `${path}/${i}`, out));
}

/** Every rejection of `object` (an update when `old` is given, so transition rules run). */
export function rejections(schema: OpenApiSchema, object: unknown, old?: unknown): Rejection[] {
  const out = openApiRejections(schema, object);
  celRejections(schema, object, old, '', out);
  return out;
}
