// SPDX-License-Identifier: MIT
// Provider blocks derived from a fixture shaped like the signer-service Signing sections.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Type } from 'typebox';

import { camelCase, deriveProviderBlocks, type ProviderDescriptor } from '../../../../src/api/v1alpha1/provider-blocks.js';

// Shaped like the signer-service's Signing sections: PascalCase keys, empty-string defaults, untyped enums.
const text = () => Type.String({ default: '' });
const FIXTURE: readonly ProviderDescriptor[] = [
  { kind: 'SelfSigned', configSchema: Type.Object({ SubjectName: text(), KeySize: Type.Enum([2048, 3072, 4096], { default: 4096 }), CertificatePath: text(), CertificatePasswordSecret: text() }) },
  {
    kind: 'StoredCertificate',
    configSchema: Type.Object({ FilePath: text(), KeyFilePath: text(), Password: text(), StoreLocation: Type.Enum(['', 'CurrentUser', 'LocalMachine'], { default: '' }), Thumbprint: text() }),
  },
  {
    kind: 'AzureKeyVault',
    configSchema: Type.Object({
      VaultUri: text(),
      AuthenticationMode: Type.Enum(['Default', 'ClientSecret'], { default: 'Default' }),
      ClientSecret: text(),
      ClientSecretConfigurationKey: text(),
    }),
  },
  { kind: 'AwsSigner', configSchema: Type.Object({ Region: text() }) },
  { kind: 'GcpKms', configSchema: Type.Object({ ServiceAccountKeyPath: text(), ServiceAccountKeyPathConfigurationKey: text(), Retries: Type.Integer({ minimum: 0, maximum: 5, default: 2 }) }) },
  { kind: 'Pkcs11', configSchema: Type.Object({ ModulePath: text(), Pin: text(), PinConfigurationKey: text(), CertificatePath: text(), SlotId: text() }) },
];

const blocks = deriveProviderBlocks(FIXTURE);
const block = (mode: string) => blocks.find((b) => b.mode === mode);
const fields = (mode: string) => Object.keys(block(mode)?.schema.properties ?? {});

describe('deriveProviderBlocks', () => {
  test('one camelCase block per mode, in registry order, without refused modes', () => {
    assert.deepEqual(
      blocks.map((b) => [b.mode, b.blockName]),
      [
        ['SelfSigned', 'selfSigned'],
        ['StoredCertificate', 'storedCertificate'],
        ['AzureKeyVault', 'azureKeyVault'],
        ['GcpKms', 'gcpKms'],
        ['Pkcs11', 'pkcs11'],
      ],
    );
  });

  test('secret values become Secret key selectors named <field>SecretRef (or <…Secret>Ref)', () => {
    assert.deepEqual(fields('StoredCertificate'), ['fileSecretRef', 'keyFileSecretRef', 'passwordSecretRef']);
    assert.ok(fields('AzureKeyVault').includes('clientSecretRef'));
    assert.ok(fields('Pkcs11').includes('pinSecretRef'));
    const ref = block('AzureKeyVault')?.schema.properties?.clientSecretRef;
    assert.deepEqual(ref?.required, ['name', 'key']);
    assert.deepEqual(Object.keys(ref?.properties ?? {}), ['name', 'key']);
  });

  test('file paths become Secret refs, but a module path inside the image stays a string', () => {
    assert.deepEqual(fields('GcpKms'), ['serviceAccountKeySecretRef', 'retries']);
    assert.deepEqual(fields('Pkcs11'), ['modulePath', 'pinSecretRef', 'certificateSecretRef', 'slotId']);
    assert.equal(block('Pkcs11')?.schema.properties?.modulePath.type, 'string');
  });

  test('ConfigurationKey indirections and fields the CR expresses elsewhere disappear', () => {
    assert.equal(block('SelfSigned')?.schema.properties, undefined);
    assert.ok(!fields('AzureKeyVault').some((f) => f.includes('ConfigurationKey') || f.includes('configurationKey')));
    assert.ok(!fields('StoredCertificate').includes('thumbprint'));
  });

  test('enums get a type and lose the empty "unset" value; defaults go, bounds stay', () => {
    assert.deepEqual(block('AzureKeyVault')?.schema.properties?.authenticationMode, {
      type: 'string',
      description: 'Signing:AzureKeyVault:AuthenticationMode of the signer-service configuration.',
      enum: ['Default', 'ClientSecret'],
    });
    const retries = block('GcpKms')?.schema.properties?.retries;
    assert.equal(retries?.default, undefined);
    assert.equal(retries?.minimum, 0);
    assert.equal(retries?.maximum, 5);
  });

  test('a duplicate mode or a schema with no structural form is refused', () => {
    assert.throws(() => deriveProviderBlocks([FIXTURE[0], FIXTURE[0]]), /listed twice/);
    const union = Type.Union([Type.String(), Type.Integer()]);
    assert.throws(() => deriveProviderBlocks([{ kind: 'Odd', configSchema: Type.Object({ Value: union }) }]), /Signing:Odd:Value: this schema has no structural equivalent/);
  });
});

test('camelCase lowers the leading word or acronym', () => {
  assert.deepEqual(['VaultUri', 'Pkcs11', 'URLBase', 'ID', 'selfSigned'].map(camelCase), ['vaultUri', 'pkcs11', 'urlBase', 'id', 'selfSigned']);
});
