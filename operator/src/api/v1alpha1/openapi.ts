// SPDX-License-Identifier: MIT
// The structural OpenAPI v3 subset a CRD schema may use, and TypeBox helpers that stay inside it
// (typed enums and the Kubernetes shapes shared by several fields).

import { Type, type TString, type TUnsafe } from 'typebox';

/** One CEL rule of `x-kubernetes-validations`. */
export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** A node of a structural schema: every node has a `type`; objects use `properties` or `additionalProperties`, never both. */
export interface OpenApiSchema {
  readonly type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly description?: string;
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  readonly additionalProperties?: OpenApiSchema;
  readonly required?: readonly string[];
  readonly items?: OpenApiSchema;
  readonly enum?: readonly (string | number)[];
  readonly default?: unknown;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxItems?: number;
  readonly 'x-kubernetes-validations'?: readonly CelRule[];
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

/** A string enum with `type: string`, which `Type.Enum` leaves out and structural schemas require. */
export function stringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** An integer enum with `type: integer`. */
export function integerEnum<const T extends readonly number[]>(values: T, options: { description?: string } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'integer', enum: [...values], ...options });
}

/** The Go duration syntax cert-manager accepts for `duration` and `renewBefore`: hours, minutes, seconds. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(s|m|h))+$';

/** A duration string (`8760h`, `1h30m`), stored exactly as written. */
export function durationString(description: string): TString {
  return Type.String({ description, pattern: DURATION_PATTERN, maxLength: 32 });
}

/** An RFC 3339 timestamp in whole seconds, as status writes them. */
export function timestamp(description: string): TString {
  return Type.String({ description, format: 'date-time', maxLength: 64 });
}

/** A Kubernetes object name (DNS-1123 subdomain). */
export function objectName(description: string): TString {
  return Type.String({ description, minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' });
}
