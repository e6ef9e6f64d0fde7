// SPDX-License-Identifier: MIT
// The Entra ID credential Key Vault calls are made with, per AuthenticationMode. @azure/identity is
// loaded here, when a key is opened, so installs that never use Key Vault never load it.

import type { TokenCredential } from '@azure/identity';

import { loadSdk } from '../remote/load-sdk.js';

/** How to obtain tokens, as the AuthenticationMode setting and its fields describe it. */
export type AzureAuthentication =
  | { readonly mode: 'Default'; readonly clientId: string }
  | { readonly mode: 'ManagedIdentity'; readonly clientId: string }
  | { readonly mode: 'ClientSecret'; readonly tenantId: string; readonly clientId: string };

/** Where tokens come from besides the mode. */
export interface AzureCredentialOptions {
  /** The Entra ID authority host (a sovereign or private cloud); empty for the SDK's default. */
  readonly authorityHost: string;
  /** The client secret of ClientSecret mode, resolved by the front end. */
  readonly clientSecret: string;
}

/**
 * The credential for `authentication`: DefaultAzureCredential (environment, workload identity,
 * managed identity, Azure CLI, ...), a ManagedIdentityCredential (user-assigned when a client id is
 * given), or a ClientSecretCredential. An explicit authority host turns off instance discovery,
 * which would ask the public cloud about an authority it does not know. Token requests make one
 * attempt each (the managed identity endpoint's own 404/410/5xx retries included): the key's
 * RemoteCaller retries throttling and outages, so retries are not multiplied.
 */
export async function azureCredential(authentication: AzureAuthentication, options: AzureCredentialOptions): Promise<TokenCredential> {
  const identity = await loadSdk('AzureKeyVault', '@azure/identity', () => import('@azure/identity'));
  const common = { retryOptions: { maxRetries: 0 }, ...(options.authorityHost === '' ? {} : { authorityHost: options.authorityHost, disableInstanceDiscovery: true }) };
  switch (authentication.mode) {
    case 'Default':
      return new identity.DefaultAzureCredential({ ...common, ...(authentication.clientId === '' ? {} : { managedIdentityClientId: authentication.clientId }) });
    case 'ManagedIdentity':
      return authentication.clientId === '' ? new identity.ManagedIdentityCredential(common) : new identity.ManagedIdentityCredential({ ...common, clientId: authentication.clientId });
    case 'ClientSecret':
      return new identity.ClientSecretCredential(authentication.tenantId, authentication.clientId, options.clientSecret, common);
  }
}
