// SPDX-License-Identifier: MIT
// The open registry of key backends: a map from kind to provider. Each backend registers itself
// through registerSigningProvider; nothing else knows a backend's fields.

import type { TObject } from 'typebox';

import { ReposignError } from '../errors.js';
import type { SigningProvider } from './signing-provider.js';

const registry = new Map<string, SigningProvider>();

/**
 * Makes `provider` available under its kind to the feed's configuration, the CLI and the operator.
 * Throws INVALID_ARGUMENT when the kind is not PascalCase or is registered already.
 */
export function registerSigningProvider<Schema extends TObject, Settings>(provider: SigningProvider<Schema, Settings>): void {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(provider.kind)) {
    throw new ReposignError('INVALID_ARGUMENT', `Signing provider kind '${provider.kind}' must be PascalCase, as Signing:Mode spells it.`);
  }
  if (registry.has(provider.kind)) throw new ReposignError('INVALID_ARGUMENT', `Signing provider '${provider.kind}' is registered twice.`);
  registry.set(provider.kind, provider);
}

/** The provider of `kind`. Throws PROVIDER_UNKNOWN, listing the registered kinds, when there is none. */
export function signingProvider(kind: string): SigningProvider {
  const provider = registry.get(kind);
  if (provider === undefined) {
    throw new ReposignError('PROVIDER_UNKNOWN', `No signing provider '${kind}'; registered: ${[...registry.keys()].join(', ')}.`);
  }
  return provider;
}

/** Every registered provider, in registration order (built-ins first). */
export function signingProviders(): readonly SigningProvider[] {
  return [...registry.values()];
}
