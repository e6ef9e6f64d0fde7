// SPDX-License-Identifier: MIT
// The Signing section: every key, its default, its env form, and each configuration error.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { isFeedError } from '../../../src/errors.js';
import { signingProvider, type SelfSignedSettings, type StoredCertificateSettings } from '@reposign/signing';

const load = (env: Record<string, string>) => loadConfig({ argv: [], cwd: '/srv', env: { HOME: '/home/feed', ...env } });

function problems(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    assert.ok(isFeedError(error, 'CONFIG_INVALID'));
    return error.message;
  }
  assert.fail('expected CONFIG_INVALID');
}

test('defaults of the Signing section', () => {
  const { signing } = load({}).config;
  assert.equal(signing.mode, 'SelfSigned');
  assert.equal(signing.timestampServerUrl, 'http://timestamp.digicert.com');
  assert.equal(signing.publishSignaturePolicy, 'ReSign');
  assert.equal(signing.hashAlgorithm, 'SHA256');
  assert.equal(signing.allowUnsignedOnFailure, false);
  assert.equal(signing.reloadIntervalMs, 10_000);
  assert.deepEqual(signing.rotation, { enabled: false, packagesPerMinute: 30 });
  assert.equal(signing.password.value, '');
  assert.deepEqual(signing.settings, {
    subjectName: 'CN=reposign repository signing (self-signed)',
    keySize: 4096,
    validityInDays: 3650,
    hashAlgorithm: 'SHA256',
    certificatePath: '/srv/data/certs/repository-signing.pfx',
    renewBeforeDays: 30,
  });
  assert.equal(signing.mode, 'SelfSigned', 'no StoredCertificate settings in SelfSigned mode');
});

test('every SelfSigned key, Provider as an alias, KeySize in both spellings, "" disables timestamps', () => {
  const { signing } = load({
    Signing__Provider: 'SelfSigned',
    Signing__TimestampServerUrl: '',
    Signing__PublishSignaturePolicy: 'Reject',
    Signing__HashAlgorithm: 'SHA384',
    Signing__AllowUnsignedOnFailure: 'true',
    Signing__ReloadIntervalSeconds: '0.5',
    Signing__Rotation__Enabled: 'true',
    Signing__Rotation__PackagesPerMinute: '120',
    Signing__SelfSigned__Organization: 'Contoso',
    Signing__SelfSigned__OrganizationalUnit: 'Build',
    Signing__SelfSigned__Country: 'nl',
    Signing__SelfSigned__KeySize: 'KeySize3072',
    Signing__SelfSigned__ValidityInDays: '365',
    Signing__SelfSigned__HashAlgorithm: 'SHA512',
    Signing__SelfSigned__CertificatePath: '/secure/feed.pfx',
    Signing__SelfSigned__RenewBeforeDays: '60',
    Signing__SelfSigned__CertificatePasswordSecret: 'Signing:CertificatePassword',
    Signing__CertificatePassword: 'pw',
  }).config;
  assert.equal(signing.timestampServerUrl, '');
  assert.equal(signing.publishSignaturePolicy, 'Reject');
  assert.equal(signing.hashAlgorithm, 'SHA384');
  assert.equal(signing.allowUnsignedOnFailure, true);
  assert.equal(signing.reloadIntervalMs, 500);
  assert.deepEqual(signing.rotation, { enabled: true, packagesPerMinute: 120 });
  assert.equal(signing.password.value, 'pw');
  assert.deepEqual(signing.settings, {
    subjectName: 'CN=reposign repository signing (self-signed), O=Contoso, OU=Build, C=NL',
    keySize: 3072,
    validityInDays: 365,
    hashAlgorithm: 'SHA512',
    certificatePath: '/secure/feed.pfx',
    renewBeforeDays: 60,
  });
  assert.equal((load({ Signing__SelfSigned__SubjectName: 'CN=Mine', Signing__SelfSigned__Organization: 'Ignored' }).config.signing.settings as SelfSignedSettings).subjectName, 'CN=Mine');
});

test('CertificatePasswordSecret wins over inline passwords, and its target is not an unknown key', () => {
  const { config, warnings } = load({
    Signing__Mode: 'StoredCertificate',
    Signing__StoredCertificate__FilePath: 'certs/feed.pfx',
    Signing__StoredCertificate__Password: 'inline',
    Signing__CertificatePasswordSecret: 'Secrets:Pfx',
    Secrets__Pfx: 'from-secret',
  });
  assert.equal(config.signing.password.value, 'from-secret');
  assert.equal(config.signing.password.key, 'Secrets:Pfx (named by Signing:CertificatePasswordSecret)');
  assert.deepEqual(config.signing.settings, { kind: 'file', filePath: '/srv/certs/feed.pfx', keyFilePath: '' });
  assert.deepEqual(warnings, []);
  const inline = load({ Signing__Mode: 'StoredCertificate', Signing__StoredCertificate__FilePath: 'a.pfx', Signing__StoredCertificate__Password: 'inline' }).config.signing.password;
  assert.deepEqual(inline, { value: 'inline', key: 'Signing:StoredCertificate:Password' });
  assert.match(problems({ Signing__CertificatePasswordSecret: 'Secrets:Missing' }), /Signing:CertificatePasswordSecret: names the key 'Secrets:Missing', which is not set/);
  assert.deepEqual(load({ Signing__Bogus: 'x' }).warnings, ['Unknown configuration key Signing:Bogus is ignored.']);
});

test('StoredCertificate from a certificate store: CurrentUser, LocalMachine and an explicit directory', () => {
  const thumbprint = 'ab:cd'.padEnd(5, '0') + 'ef'.repeat(17) + '12';
  const store = (location: string, extra: Record<string, string> = {}) =>
    load({ Signing__Mode: 'StoredCertificate', Signing__StoredCertificate__Thumbprint: thumbprint, Signing__StoredCertificate__StoreName: 'My', Signing__StoredCertificate__StoreLocation: location, ...extra }).config.signing.settings as StoredCertificateSettings;
  assert.deepEqual(store('CurrentUser'), { kind: 'store', thumbprint: 'ABCD' + 'EF'.repeat(17) + '12', storeName: 'My', storeLocation: 'CurrentUser', storeDirectory: '/home/feed/.dotnet/corefx/cryptography/x509stores' });
  const machine = store('LocalMachine');
  assert.equal(machine?.kind === 'store' ? machine.storeDirectory : '', '/etc/reposign/x509stores');
  const custom = store('CurrentUser', { Signing__StoredCertificate__StoreDirectory: 'stores' });
  assert.equal(custom?.kind === 'store' ? custom.storeDirectory : '', '/srv/stores');
});

test('each configuration error names its key, and all are reported at once', () => {
  const message = problems({
    Signing__Mode: 'StoredCertificate',
    Signing__StoredCertificate__Thumbprint: 'xyz',
    Signing__AllowUnsignedOnFailure: 'true',
    Signing__TimestampServerUrl: 'ftp://tsa',
    Signing__SelfSigned__ValidityInDays: '4000',
    Signing__SelfSigned__Country: 'USA',
  });
  for (const expected of [
    'Signing:SelfSigned:ValidityInDays: must be <= 3650',
    'Signing:SelfSigned:Country:',
  ]) assert.ok(message.includes(expected), `${expected}\n${message}`);
  const semantic = problems({ Signing__Mode: 'StoredCertificate', Signing__StoredCertificate__Thumbprint: 'xyz', Signing__AllowUnsignedOnFailure: 'true', Signing__TimestampServerUrl: 'ftp://tsa' });
  for (const expected of [
    'Signing:StoredCertificate:Thumbprint: must be the 40 hex digits',
    'Signing:StoredCertificate:StoreName: is required with Thumbprint',
    'Signing:StoredCertificate:StoreLocation: is required with Thumbprint',
    'Signing:AllowUnsignedOnFailure: applies only to SelfSigned mode',
    'Signing:TimestampServerUrl: must be an http or https URL',
  ]) assert.ok(semantic.includes(expected), `${expected}\n${semantic}`);
  assert.match(problems({ Signing__Mode: 'StoredCertificate' }), /Signing:StoredCertificate: set FilePath \(a PFX or PEM file\), or Thumbprint/);
  assert.match(problems({ Signing__Mode: 'StoredCertificate', Signing__StoredCertificate__FilePath: 'a.pfx', Signing__StoredCertificate__Thumbprint: 'a'.repeat(40) }), /FilePath and Thumbprint exclude each other/);
  assert.match(problems({ Signing__SelfSigned__KeySize: '1024' }), /Signing:SelfSigned:KeySize: must be one of 2048, 3072, 4096/);
  assert.match(problems({ Signing__SelfSigned__ValidityInDays: '30' }), /Signing:SelfSigned:RenewBeforeDays: must be less than Signing:SelfSigned:ValidityInDays/);
  assert.match(problems({ Signing__Mode: 'Magic' }), /Signing:Mode: must be one of SelfSigned, StoredCertificate, AzureKeyVault, AwsKms, AwsSigner, GcpKms, GcpHsm, Pkcs11/);
  assert.match(problems({ Signing__Mode: 'SelfSigned', Signing__Provider: 'AwsKms' }), /Signing:Provider: 'AwsKms' contradicts Signing:Mode 'SelfSigned'/);
});

test('cloud and PKCS#11 modes: their blocks are validated, then the mode is refused, never replaced', () => {
  const cases: [Record<string, string>, RegExp[]][] = [
    [{ Signing__Mode: 'AzureKeyVault', Signing__AzureKeyVault__VaultUri: 'http://vault', Signing__AzureKeyVault__AuthenticationMode: 'ClientSecret' }, [/Signing:AzureKeyVault:CertificateName: is required/, /VaultUri: must be an https URL/, /Signing:AzureKeyVault:TenantId: is required/, /set ClientSecret or ClientSecretConfigurationKey/]],
    [{ Signing__Mode: 'AwsKms' }, [/Signing:AwsKms:Region: is required/, /Signing:AwsKms:KeyId: is required/]],
    [{ Signing__Mode: 'AwsSigner' }, [/Signing:AwsSigner:ProfileName: is required/]],
    [{ Signing__Mode: 'GcpKms' }, [/Signing:GcpKms:KeyRing: is required/]],
    [{ Signing__Mode: 'GcpHsm' }, [/Signing:GcpHsm:ClusterName: is required/]],
    [{ Signing__Mode: 'Pkcs11' }, [/Signing:Pkcs11:ModulePath: is required/, /set TokenLabel or SlotId/, /set KeyLabel or KeyId/]],
  ];
  for (const [env, patterns] of cases) {
    const message = problems(env);
    // Modes whose backend opens keys are validated the same way; the others are then refused.
    const refused = signingProvider(env['Signing__Mode'] ?? '').unavailable !== undefined;
    for (const pattern of [...patterns, ...(refused ? [new RegExp(`mode ${env['Signing__Mode']} is not available in this version of reposign`)] : [])]) assert.match(message, pattern);
  }
  assert.match(problems({ Signing__AwsKms__SigningAlgorithm: 'MD5' }), /Signing:AwsKms:SigningAlgorithm: must be one of/);
});
