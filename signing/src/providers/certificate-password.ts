// SPDX-License-Identifier: MIT
// Resolves the certificate password from the places a front end offers, in order: settings that
// name another key holding it (references), then settings that hold it (values).

import type { TObject } from 'typebox';

import { passwordFields } from './provider-fields.js';
import type { ResolvedSecret } from './signing-provider.js';

/** One place the password may come from: a setting holding it, or a setting naming the key that holds it. */
export type PasswordCandidate =
  | { readonly setting: string; readonly value: string }
  | { readonly setting: string; readonly reference: string };

/** The resolved password, or the problem of a reference to a key that is not set. */
export type PasswordResolution = { readonly password: ResolvedSecret; readonly problem?: undefined } | { readonly password?: undefined; readonly problem: string };

/**
 * The password candidates a provider's block offers, in precedence order: its `reference` fields,
 * then its `value` fields (see provider-fields.ts). `settingName` spells each for messages.
 */
export function blockPasswordCandidates(
  schema: TObject,
  config: Readonly<Record<string, unknown>>,
  settingName: (field: string) => string,
): { readonly references: PasswordCandidate[]; readonly values: PasswordCandidate[] } {
  const text = (field: string): string => (typeof config[field] === 'string' ? config[field] : '');
  return {
    references: passwordFields(schema.properties, 'reference').map((field) => ({ setting: settingName(field), reference: text(field) })),
    values: passwordFields(schema.properties, 'value').map((field) => ({ setting: settingName(field), value: text(field) })),
  };
}

/**
 * The first non-empty candidate wins; a reference is looked up with `lookup` and names its origin
 * as `<key> (named by <setting>)`. `none` describes the absence of any password.
 */
export function resolveCertificatePassword(
  candidates: readonly PasswordCandidate[],
  lookup: (key: string) => string | undefined,
  none: string,
): PasswordResolution {
  for (const candidate of candidates) {
    if ('reference' in candidate) {
      if (candidate.reference === '') continue;
      const value = lookup(candidate.reference);
      if (value === undefined) return { problem: `${candidate.setting}: names the key '${candidate.reference}', which is not set` };
      return { password: { value, key: `${candidate.reference} (named by ${candidate.setting})` } };
    }
    if (candidate.value !== '') return { password: { value: candidate.value, key: candidate.setting } };
  }
  return { password: { value: '', key: none } };
}
