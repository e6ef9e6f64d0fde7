// SPDX-License-Identifier: MIT
// The building blocks of backend schemas: string fields with their metadata (CLI flag, password
// role, accepted aliases) under one `x-reposign` key, the readers front ends use, and the shared
// required-field checks.

import { Type, type TSchema, type TString } from 'typebox';

import type { ConfigProblem, ProviderContext } from './signing-provider.js';

/** The schema keyword that holds reposign's field metadata; strip it where only JSON Schema is wanted. */
export const FIELD_METADATA = 'x-reposign';

/** What front ends need to know about a field besides its type. */
export interface FieldMetadata {
  /** The CLI flag without dashes, when kebab-case of the key is not the name users know (`certificate-path`). */
  readonly flag?: string;
  /**
   * The field's part in the certificate password: `value` holds it, `reference` names the
   * configuration key (or, on the CLI, the environment variable) that holds it.
   */
  readonly password?: 'value' | 'reference';
  /** Other spellings of a value, matched without regard to case (`KeySize4096` for 4096). */
  readonly aliases?: Readonly<Record<string, string | number>>;
}

/** A text field, empty by default. */
export function textField(description: string, metadata?: FieldMetadata): TString {
  return Type.String({ default: '', description, ...(metadata === undefined ? {} : { [FIELD_METADATA]: metadata }) });
}

/** The metadata of a field schema; empty when it has none. */
export function fieldMetadata(schema: TSchema): FieldMetadata {
  const metadata = (schema as Record<string, unknown>)[FIELD_METADATA];
  return typeof metadata === 'object' && metadata !== null ? metadata : {};
}

/** The CLI flag of a field (without dashes): its `flag` metadata, or the kebab-case of its key. */
export function fieldFlag(name: string, schema: TSchema): string {
  return fieldMetadata(schema).flag ?? name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/** The value an alias stands for (`KeySize2048` → 2048); other values unchanged. */
export function unaliased(schema: TSchema, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const aliases = fieldMetadata(schema).aliases ?? {};
  const match = Object.keys(aliases).find((alias) => alias.toLowerCase() === value.toLowerCase());
  return match === undefined ? value : aliases[match];
}

/** The names of the fields with a password role, in declaration order. */
export function passwordFields(properties: Readonly<Record<string, TSchema>>, role: 'value' | 'reference'): string[] {
  return Object.entries(properties)
    .filter(([, schema]) => fieldMetadata(schema).password === role)
    .map(([name]) => name);
}

/** One problem per empty field among `names`. */
export function requiredFields(kind: string, config: Readonly<Record<string, unknown>>, names: readonly string[], context: ProviderContext): ConfigProblem[] {
  return names.filter((name) => config[name] === '').map((name) => ({ path: name, message: `is required when ${context.modeSetting} is ${kind}` }));
}

/** A problem when both fields of `names` are empty. */
export function requiredOneOf(
  kind: string,
  config: Readonly<Record<string, unknown>>,
  names: readonly [string, string],
  context: ProviderContext,
): ConfigProblem[] {
  if (names.some((name) => config[name] !== '')) return [];
  return [{ path: '', message: `set ${names[0]} or ${names[1]} when ${context.modeSetting} is ${kind}` }];
}

/** The validation result of a block: its settings when nothing is wrong, its problems otherwise. */
export function validation<Settings>(problems: readonly ConfigProblem[], settings: () => Settings): { ok: true; settings: Settings } | { ok: false; problems: readonly ConfigProblem[] } {
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings: settings() };
}
