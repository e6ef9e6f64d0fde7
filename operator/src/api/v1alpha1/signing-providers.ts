// SPDX-License-Identifier: MIT
// The signing engine's providers the CRD is generated from. Interim: until @reposign/signing exports
// its registry, this lists the `Signing:<Mode>` sections of the signer-service's configuration schema.

import { Type, type TObject } from 'typebox';

import { integerEnum, stringEnum } from './openapi.js';
import type { ProviderDescriptor } from './provider-blocks.js';

const text = () => Type.String();
const hash = () => stringEnum(['SHA256', 'SHA384', 'SHA512']);

function section(kind: string, configSchema: TObject): ProviderDescriptor {
  return { kind, configSchema };
}

/**
 * The providers in the engine's registry order, field names as in `Signing:<Mode>`. To be replaced
 * by the registry's export once it exists (see the operator's API notes in the issue 8 report).
 */
export const SIGNING_PROVIDERS: readonly ProviderDescriptor[] = [
  section(
    'SelfSigned',
    Type.Object({
      SubjectName: text(),
      Organization: text(),
      OrganizationalUnit: text(),
      Country: text(),
      KeySize: integerEnum([2048, 3072, 4096]),
      ValidityInDays: Type.Integer({ minimum: 1, maximum: 3650 }),
      HashAlgorithm: hash(),
      CertificatePath: text(),
      RenewBeforeDays: Type.Integer({ minimum: 0, maximum: 3649 }),
      CertificatePasswordSecret: text(),
    }),
  ),
  section(
    'StoredCertificate',
    Type.Object({
      FilePath: text(),
      KeyFilePath: text(),
      Password: text(),
      CertificatePasswordSecret: text(),
      Thumbprint: text(),
      StoreName: text(),
      StoreLocation: stringEnum(['', 'CurrentUser', 'LocalMachine']),
      StoreDirectory: text(),
    }),
  ),
  section(
    'AzureKeyVault',
    Type.Object({
      VaultUri: text(),
      CertificateName: text(),
      CertificateVersion: text(),
      AuthenticationMode: stringEnum(['Default', 'ManagedIdentity', 'ClientSecret']),
      TenantId: text(),
      ClientId: text(),
      ClientSecret: text(),
      ClientSecretConfigurationKey: text(),
    }),
  ),
  section(
    'AwsKms',
    Type.Object({
      Region: text(),
      KeyId: text(),
      SigningAlgorithm: stringEnum(['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256']),
      CertificatePath: text(),
      AccessKeyId: text(),
      SecretAccessKey: text(),
      SecretAccessKeyConfigurationKey: text(),
    }),
  ),
  section(
    'AwsSigner',
    Type.Object({ Region: text(), ProfileName: text(), AccessKeyId: text(), SecretAccessKey: text(), SecretAccessKeyConfigurationKey: text() }),
  ),
  section(
    'GcpKms',
    Type.Object({
      ProjectId: text(),
      Location: text(),
      KeyRing: text(),
      KeyName: text(),
      KeyVersion: text(),
      ProtectionLevel: stringEnum(['Software', 'Hsm']),
      CertificatePath: text(),
      ServiceAccountKeyPath: text(),
      ServiceAccountKeyPathConfigurationKey: text(),
    }),
  ),
  section(
    'GcpHsm',
    Type.Object({ ProjectId: text(), Location: text(), ClusterName: text(), ServiceAccountKeyPath: text(), ServiceAccountKeyPathConfigurationKey: text() }),
  ),
  section(
    'Pkcs11',
    Type.Object({ ModulePath: text(), TokenLabel: text(), SlotId: text(), KeyLabel: text(), KeyId: text(), Pin: text(), PinConfigurationKey: text(), CertificatePath: text() }),
  ),
];
