// SPDX-License-Identifier: MIT
// Registers the backends that ship with the engine, in the order help texts and messages list them.
// The engine's entry point imports this module once.

import { awsKmsProvider } from './aws-kms/aws-kms-provider.js';
import { awsSignerProvider } from './aws-signer/aws-signer-provider.js';
import { azureKeyVaultProvider } from './azure-key-vault/azure-key-vault-provider.js';
import { gcpHsmProvider } from './gcp-hsm/gcp-hsm-provider.js';
import { gcpKmsProvider } from './gcp-kms/gcp-kms-provider.js';
import { pkcs11Provider } from './pkcs11/pkcs11-provider.js';
import { registerSigningProvider } from './registry.js';
import { selfSignedProvider } from './self-signed/self-signed-provider.js';
import { storedCertificateProvider } from './stored-certificate/stored-certificate-provider.js';

registerSigningProvider(selfSignedProvider);
registerSigningProvider(storedCertificateProvider);
registerSigningProvider(azureKeyVaultProvider);
registerSigningProvider(awsKmsProvider);
registerSigningProvider(awsSignerProvider);
registerSigningProvider(gcpKmsProvider);
registerSigningProvider(gcpHsmProvider);
registerSigningProvider(pkcs11Provider);
