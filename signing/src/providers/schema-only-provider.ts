// SPDX-License-Identifier: MIT
// Backends whose configuration this version knows but whose keys it cannot open: their blocks are
// validated like any other, then the selection is refused with the declared reason.

import type { Static, TObject } from 'typebox';

import { requiredFields, requiredOneOf, validation } from './provider-fields.js';
import type { ConfigProblem, KeySource, ProviderContext, UnavailableSigningProvider } from './signing-provider.js';

/** What a schema-only backend declares. */
export interface SchemaOnlyProviderDefinition<Schema extends TObject> {
  readonly kind: string;
  readonly summary: string;
  readonly configSchema: Schema;
  /** Why it cannot open keys: shown when it is selected. */
  readonly unavailable: string;
  /** Fields that must not be empty. */
  readonly required: readonly (keyof Static<Schema> & string)[];
  /** Pairs of fields of which at least one must be set. */
  readonly oneOf?: readonly (readonly [keyof Static<Schema> & string, keyof Static<Schema> & string])[];
  /** Checks beyond required fields (formats, conditional requirements). */
  readonly check?: (config: Static<Schema>, context: ProviderContext) => readonly ConfigProblem[];
  /** The field that names the key, and where the key is. */
  readonly source: (config: Static<Schema>) => KeySource;
}

/** A provider that validates its block and cannot open keys, saying why in `unavailable`. */
export function schemaOnlyProvider<Schema extends TObject>(definition: SchemaOnlyProviderDefinition<Schema>): UnavailableSigningProvider<Schema, Static<Schema>> {
  const { kind } = definition;
  return {
    kind,
    summary: definition.summary,
    configSchema: definition.configSchema,
    unavailable: definition.unavailable,
    validate(config, context) {
      const fields = config as Readonly<Record<string, unknown>>;
      const problems = [
        ...requiredFields(kind, fields, definition.required, context),
        ...(definition.oneOf ?? []).flatMap((pair) => requiredOneOf(kind, fields, pair, context)),
        ...(definition.check?.(config, context) ?? []),
      ];
      return validation(problems, () => config);
    },
    source: definition.source,
  };
}
