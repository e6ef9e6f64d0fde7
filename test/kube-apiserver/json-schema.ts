// SPDX-License-Identifier: MIT
// The structural OpenAPI v3 schema subset CRDs use, with the Kubernetes extensions.

/** One `x-kubernetes-validations` rule. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  optionalOldSelf?: boolean;
}

/** `JSONSchemaProps` as found in a CRD's `openAPIV3Schema`. */
export interface JsonSchema {
  type?: string;
  description?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/** The schema of a property of an object node, from `properties` or `additionalProperties`. */
export function propertySchema(schema: JsonSchema, key: string): JsonSchema | undefined {
  const fromProperties = schema.properties?.[key];
  if (fromProperties !== undefined) return fromProperties;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** Appends a property to a dotted field path. */
export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
