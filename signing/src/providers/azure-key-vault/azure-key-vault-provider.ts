// SPDX-License-Identifier: MIT
// AzureKeyVault: a certificate and its non-exportable key in Azure Key Vault. This version knows
// the block and checks it; the backend that signs through Key Vault comes with issue 10.

import { Type } from 'typebox';

import { requiredFields, requiredOneOf, textField } from '../provider-fields.js';
import { schemaOnlyProvider } from '../schema-only-provider.js';

const KIND = 'AzureKeyVault';

/** The `Signing:AzureKeyVault` block, with the reference product's names. */
export const AzureKeyVaultSchema = Type.Object({
  VaultUri: textField('The vault, e.g. https://myvault.vault.azure.net/.'),
  CertificateName: textField('The Key Vault certificate whose key signs.'),
  CertificateVersion: textField('A certificate version; empty uses the current one.'),
  AuthenticationMode: Type.Enum(['Default', 'ManagedIdentity', 'ClientSecret'], { default: 'Default', description: 'How to authenticate to Key Vault.' }),
  TenantId: textField('Entra ID tenant (ClientSecret authentication).'),
  ClientId: textField('Application (client) id (ClientSecret authentication).'),
  ClientSecret: textField('The client secret (ClientSecret authentication).'),
  ClientSecretConfigurationKey: textField('The configuration key holding the client secret.'),
});

/** Azure Key Vault keys: configuration only in this version. */
export const azureKeyVaultProvider = schemaOnlyProvider({
  kind: KIND,
  summary: 'a certificate whose key stays in Azure Key Vault',
  configSchema: AzureKeyVaultSchema,
  unavailable: 'the Azure Key Vault backend is not implemented yet',
  required: ['VaultUri', 'CertificateName'],
  check(config, context) {
    const problems = [];
    if (config.VaultUri !== '' && !/^https:\/\/[^/\s]+\/?$/i.test(config.VaultUri)) {
      problems.push({ path: 'VaultUri', message: 'must be an https URL such as https://myvault.vault.azure.net/' });
    }
    if (config.AuthenticationMode === 'ClientSecret') {
      problems.push(...requiredFields(KIND, config, ['TenantId', 'ClientId'], context), ...requiredOneOf(KIND, config, ['ClientSecret', 'ClientSecretConfigurationKey'], context));
    }
    return problems;
  },
  source: (config) => ({ field: 'CertificateName', location: `${config.CertificateName} in ${config.VaultUri}` }),
});
