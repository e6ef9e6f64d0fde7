// SPDX-License-Identifier: MIT
// The registry of key backends: an explicit map from kind to provider. Later backends (self-signed,
// KMS, PKCS#11) register here; a duplicate kind is a programming error.

import { certificateStoreSigningProvider, type CertificateStoreKeySpec } from './certificate-store/certificate-store-provider.js';
import type { SigningProvider } from './signing-key.js';
import { pemSigningProvider, type PemKeySpec } from './pem/pem-provider.js';
import { pfxSigningProvider, type PfxKeySpec } from './pfx/pfx-provider.js';

/** Key specs by provider kind. */
export interface SigningProviderSpecs {
  pem: PemKeySpec;
  pfx: PfxKeySpec;
  'certificate-store': CertificateStoreKeySpec;
}

export type SigningProviderKind = keyof SigningProviderSpecs;

const registry = new Map<SigningProviderKind, SigningProvider<SigningProviderSpecs[SigningProviderKind]>>();

function register<K extends SigningProviderKind>(kind: K, provider: SigningProvider<SigningProviderSpecs[K]>): void {
  if (registry.has(kind)) throw new Error(`Signing provider '${kind}' is registered twice.`);
  registry.set(kind, provider);
}

register('pem', pemSigningProvider);
register('pfx', pfxSigningProvider);
register('certificate-store', certificateStoreSigningProvider);

/** The provider of a kind. */
export function signingProvider<K extends SigningProviderKind>(kind: K): SigningProvider<SigningProviderSpecs[K]> {
  const provider = registry.get(kind);
  if (!provider) throw new Error(`No signing provider '${kind}'.`);
  return provider;
}
