// SPDX-License-Identifier: MIT
// Resolves the `Signing` section: Mode or its alias Provider, the password behind
// CertificatePasswordSecret, the certificate source, and the checks of the modes this version
// cannot sign with (validated, then refused: never a silent fallback).

import { isAbsolute, join, resolve } from 'node:path';
import type { ResolvedSecret, SigningConfig, StoredCertificateSource } from './config.js';
import { AVAILABLE_SIGNING_MODES, type RawConfig } from './schema.js';

type RawSigning = RawConfig['Signing'];

/** What resolving needs besides the validated section. */
export interface SigningContext {
  /** Reads any configuration key (`A:B` or `A__B`, any case); undefined when it is not set. */
  readonly lookup: (key: string) => string | undefined;
  readonly home: string | undefined;
  readonly cwd: string;
  readonly storagePath: string;
}

/** Where .NET keeps CurrentUser stores on Linux, below $HOME. */
const CURRENT_USER_STORES = '.dotnet/corefx/cryptography/x509stores';
/** .NET has no LocalMachine `My` store on Linux; reposign reads this directory, same layout. */
export const LOCAL_MACHINE_STORES = '/etc/reposign/x509stores';

const DEFAULT_COMMON_NAME = 'CN=reposign repository signing (self-signed)';

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function required(problems: string[], block: string, values: Record<string, string>, names: readonly string[]): void {
  for (const name of names) if (values[name] === '') problems.push(`Signing:${block}:${name}: is required when Signing:Mode is ${block}`);
}

function oneOf(problems: string[], block: string, values: Record<string, string>, names: readonly [string, string]): void {
  if (names.every((name) => values[name] === '')) problems.push(`Signing:${block}: set ${names[0]} or ${names[1]} when Signing:Mode is ${block}`);
}

/** Required-field checks of the modes whose backends come in a later version. */
function cloudProblems(raw: RawSigning, mode: string, problems: string[]): void {
  switch (mode) {
    case 'AzureKeyVault': {
      const block = raw.AzureKeyVault;
      required(problems, mode, block, ['VaultUri', 'CertificateName']);
      if (block.VaultUri !== '' && !/^https:\/\/[^/\s]+\/?$/i.test(block.VaultUri)) problems.push('Signing:AzureKeyVault:VaultUri: must be an https URL such as https://myvault.vault.azure.net/');
      if (block.AuthenticationMode === 'ClientSecret') {
        required(problems, mode, block, ['TenantId', 'ClientId']);
        oneOf(problems, mode, block, ['ClientSecret', 'ClientSecretConfigurationKey']);
      }
      return;
    }
    case 'AwsKms':
      required(problems, mode, raw.AwsKms, ['Region', 'KeyId']);
      return;
    case 'AwsSigner':
      required(problems, mode, raw.AwsSigner, ['Region', 'ProfileName']);
      return;
    case 'GcpKms':
      required(problems, mode, raw.GcpKms, ['ProjectId', 'Location', 'KeyRing', 'KeyName']);
      return;
    case 'GcpHsm':
      required(problems, mode, raw.GcpHsm, ['ProjectId', 'Location', 'ClusterName']);
      return;
    case 'Pkcs11':
      required(problems, mode, raw.Pkcs11, ['ModulePath', 'CertificatePath']);
      oneOf(problems, mode, raw.Pkcs11, ['TokenLabel', 'SlotId']);
      oneOf(problems, mode, raw.Pkcs11, ['KeyLabel', 'KeyId']);
      return;
    default:
      return;
  }
}

/** The password: Signing:CertificatePasswordSecret wins, then the block's secret, then inline values. */
function resolvePassword(raw: RawSigning, mode: string, context: SigningContext, problems: string[]): ResolvedSecret {
  const blockSecret = mode === 'SelfSigned' ? raw.SelfSigned.CertificatePasswordSecret : raw.StoredCertificate.CertificatePasswordSecret;
  const secrets: [string, string][] = [
    ['Signing:CertificatePasswordSecret', raw.CertificatePasswordSecret],
    [`Signing:${mode}:CertificatePasswordSecret`, blockSecret],
  ];
  for (const [setting, name] of secrets) {
    if (name === '') continue;
    const value = context.lookup(name);
    if (value === undefined) {
      problems.push(`${setting}: names the key '${name}', which is not set`);
      return { value: '', key: name };
    }
    return { value, key: `${name} (named by ${setting})` };
  }
  if (mode === 'StoredCertificate' && raw.StoredCertificate.Password !== '') return { value: raw.StoredCertificate.Password, key: 'Signing:StoredCertificate:Password' };
  if (raw.CertificatePassword !== '') return { value: raw.CertificatePassword, key: 'Signing:CertificatePassword' };
  return { value: '', key: '(no password configured: Signing:CertificatePasswordSecret)' };
}

function storedSource(raw: RawSigning['StoredCertificate'], context: SigningContext, problems: string[]): StoredCertificateSource | undefined {
  const hasFile = raw.FilePath !== '';
  const hasThumbprint = raw.Thumbprint !== '';
  if (hasFile && hasThumbprint) {
    problems.push('Signing:StoredCertificate: FilePath and Thumbprint exclude each other; choose one certificate source');
    return undefined;
  }
  if (hasFile) {
    return { kind: 'file', filePath: absolute(context.cwd, raw.FilePath), keyFilePath: raw.KeyFilePath === '' ? '' : absolute(context.cwd, raw.KeyFilePath) };
  }
  if (!hasThumbprint) {
    problems.push('Signing:StoredCertificate: set FilePath (a PFX or PEM file), or Thumbprint with StoreName and StoreLocation, when Signing:Mode is StoredCertificate');
    return undefined;
  }
  const before = problems.length;
  const thumbprint = raw.Thumbprint.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{40}$/.test(thumbprint)) problems.push('Signing:StoredCertificate:Thumbprint: must be the 40 hex digits of the certificate SHA-1 thumbprint');
  if (raw.StoreName === '') problems.push('Signing:StoredCertificate:StoreName: is required with Thumbprint (e.g. My)');
  else if (!/^[A-Za-z0-9_-]+$/.test(raw.StoreName)) problems.push('Signing:StoredCertificate:StoreName: must be a plain store name such as My');
  if (raw.StoreLocation === '') problems.push('Signing:StoredCertificate:StoreLocation: is required with Thumbprint (CurrentUser or LocalMachine)');
  let storeDirectory = raw.StoreDirectory === '' ? '' : absolute(context.cwd, raw.StoreDirectory);
  if (storeDirectory === '' && raw.StoreLocation === 'LocalMachine') storeDirectory = LOCAL_MACHINE_STORES;
  if (storeDirectory === '' && raw.StoreLocation === 'CurrentUser') {
    if (context.home === undefined || context.home === '') problems.push('Signing:StoredCertificate:StoreDirectory: HOME is not set, so the CurrentUser store must be given here');
    else storeDirectory = join(context.home, CURRENT_USER_STORES);
  }
  if (problems.length > before || raw.StoreLocation === '') return undefined;
  return { kind: 'store', thumbprint, storeName: raw.StoreName, storeLocation: raw.StoreLocation, storeDirectory };
}

function subjectName(raw: RawSigning['SelfSigned']): string {
  if (raw.SubjectName !== '') return raw.SubjectName;
  const parts = [DEFAULT_COMMON_NAME];
  if (raw.Organization !== '') parts.push(`O=${raw.Organization}`);
  if (raw.OrganizationalUnit !== '') parts.push(`OU=${raw.OrganizationalUnit}`);
  if (raw.Country !== '') parts.push(`C=${raw.Country.toUpperCase()}`);
  return parts.join(', ');
}

/**
 * Resolves the validated `Signing` section into the signing configuration, appending every
 * problem (with its key path) to `problems`. Returns undefined when a problem was found.
 */
export function resolveSigning(raw: RawSigning, context: SigningContext, problems: string[]): SigningConfig | undefined {
  const before = problems.length;
  if (raw.Mode !== undefined && raw.Provider !== undefined && raw.Mode !== raw.Provider) {
    problems.push(`Signing:Provider: '${raw.Provider}' contradicts Signing:Mode '${raw.Mode}'; Provider is an alias of Mode, set only one of them`);
  }
  const mode = raw.Mode ?? raw.Provider ?? 'SelfSigned';
  const modeKey = raw.Mode === undefined && raw.Provider !== undefined ? 'Signing:Provider' : 'Signing:Mode';
  cloudProblems(raw, mode, problems);
  if (!(AVAILABLE_SIGNING_MODES as readonly string[]).includes(mode)) {
    problems.push(
      `${modeKey}: mode ${mode} is not available in this version of reposign (available: ${AVAILABLE_SIGNING_MODES.join(', ')}); the feed refuses to start rather than sign with anything else`,
    );
  }
  if (raw.AllowUnsignedOnFailure && mode !== 'SelfSigned') {
    problems.push(`Signing:AllowUnsignedOnFailure: applies only to SelfSigned mode; in ${mode} mode a failed signing always fails the upload`);
  }
  if (raw.TimestampServerUrl !== '' && !/^https?:\/\/\S+$/i.test(raw.TimestampServerUrl)) {
    problems.push('Signing:TimestampServerUrl: must be an http or https URL, or empty to disable timestamps');
  }
  if (raw.SelfSigned.RenewBeforeDays >= raw.SelfSigned.ValidityInDays) {
    problems.push('Signing:SelfSigned:RenewBeforeDays: must be less than Signing:SelfSigned:ValidityInDays');
  }
  const password = resolvePassword(raw, mode, context, problems);
  const storedCertificate = mode === 'StoredCertificate' ? storedSource(raw.StoredCertificate, context, problems) : undefined;
  if (problems.length > before || (mode !== 'SelfSigned' && mode !== 'StoredCertificate')) return undefined;
  const self = raw.SelfSigned;
  return {
    mode,
    timestampServerUrl: raw.TimestampServerUrl,
    publishSignaturePolicy: raw.PublishSignaturePolicy,
    hashAlgorithm: raw.HashAlgorithm,
    signOnPush: raw.SignOnPush,
    allowUnsignedOnFailure: raw.AllowUnsignedOnFailure,
    reloadIntervalMs: Math.round(raw.ReloadIntervalSeconds * 1000),
    rotation: { enabled: raw.Rotation.Enabled, packagesPerMinute: raw.Rotation.PackagesPerMinute },
    password,
    selfSigned: {
      subjectName: subjectName(self),
      keySize: self.KeySize,
      validityInDays: self.ValidityInDays,
      hashAlgorithm: self.HashAlgorithm,
      certificatePath: absolute(context.storagePath, self.CertificatePath),
      renewBeforeDays: self.RenewBeforeDays,
    },
    storedCertificate,
  };
}
