// SPDX-License-Identifier: MIT
// The cloud KMS and PKCS#11 modes (AzureKeyVault, AwsKms, GcpKms, GcpHsm, Pkcs11): the private key
// stays in the vault and never enters Kubernetes. Until the signing engine has their providers,
// ProviderReady says so and nothing is issued or configured.

import { providerNotImplemented } from '../reconcile/observed.js';
import type { ModeHandler } from './mode-handler.js';

/** How often a mode without a provider is looked at again (an upgraded operator may have one). */
const RECHECK_MS = 5 * 60_000;

/** The handler of a mode whose provider the signing engine does not have yet. */
export function remoteKeyMode(mode: string): ModeHandler {
  return {
    gather: async () => ({
      material: { state: 'Missing', detail: `no ${mode} provider: no certificate can be obtained` },
      provider: providerNotImplemented(mode),
      recheckAfterMs: RECHECK_MS,
    }),
  };
}
