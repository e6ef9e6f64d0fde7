// SPDX-License-Identifier: MIT
// StoredCertificate: a certificate and its private key kept as a file (PKCS#12 or PEM, told apart
// by content) or in a .NET-style certificate store directory, found by thumbprint.

import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

import { Type, type Static } from 'typebox';

import { certificateStoreFiles, certificateStoreKeyLoader } from '../local/certificate-store-key.js';
import { filesRevision } from '../local/file-revision.js';
import { FIELD_METADATA, textField, validation } from '../provider-fields.js';
import { openStoredCertificateContent } from './stored-content.js';
import type { SigningKey } from '../../signing-key.js';
import { ProviderSettingError, type ConfigProblem, type OpenableSigningProvider, type OpenContext, type ProviderContext, type ProviderValidation } from '../signing-provider.js';

const KIND = 'StoredCertificate';

/** Where .NET keeps CurrentUser stores on Linux, below $HOME. */
const CURRENT_USER_STORES = '.dotnet/corefx/cryptography/x509stores';
/** .NET has no LocalMachine `My` store on Linux; reposign reads this directory, same layout. */
export const LOCAL_MACHINE_STORES = '/etc/reposign/x509stores';

/** The `Signing:StoredCertificate` block. */
export const StoredCertificateSchema = Type.Object({
  FilePath: textField('A PKCS#12 (.pfx/.p12) file, or a PEM file with the certificate (and chain, and the key unless KeyFilePath is set).', { flag: 'certificate-path' }),
  KeyFilePath: textField('The PEM private key, when it is not in the FilePath file.', { flag: 'private-key-path' }),
  Password: textField('The password of the PFX file or of an encrypted PEM key.', { flag: 'certificate-password', password: 'value' }),
  CertificatePasswordSecret: textField('The configuration key (on the CLI: the environment variable) that holds the password.', { password: 'reference' }),
  Thumbprint: textField('SHA-1 thumbprint of a certificate in a .NET-style certificate store directory.', { flag: 'certificate-fingerprint' }),
  StoreName: textField('The store of Thumbprint, e.g. My.', { flag: 'certificate-store-name' }),
  StoreLocation: Type.Enum(['', 'CurrentUser', 'LocalMachine'], {
    default: '',
    description: 'CurrentUser ($HOME/.dotnet/corefx/cryptography/x509stores) or LocalMachine (/etc/reposign/x509stores).',
    [FIELD_METADATA]: { flag: 'certificate-store-location' },
  }),
  StoreDirectory: textField('Overrides the root directory of the stores.', { flag: 'certificate-store-directory' }),
});

/** A validated StoredCertificate block: a file, or a store entry. Paths are absolute. */
export type StoredCertificateSettings =
  | { readonly kind: 'file'; readonly filePath: string; readonly keyFilePath: string }
  | {
      readonly kind: 'store';
      /** Uppercase SHA-1 hex. */
      readonly thumbprint: string;
      readonly storeName: string;
      readonly storeLocation: 'CurrentUser' | 'LocalMachine';
      /** Root of the stores (the store is the `storeName` subdirectory, lowercased). */
      readonly storeDirectory: string;
    };

type StoredCertificateConfig = Static<typeof StoredCertificateSchema>;

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function storeDirectoryOf(config: StoredCertificateConfig, context: ProviderContext, problems: ConfigProblem[]): string {
  if (config.StoreDirectory !== '') return absolute(context.cwd, config.StoreDirectory);
  if (config.StoreLocation === 'LocalMachine') return LOCAL_MACHINE_STORES;
  if (context.home === undefined || context.home === '') {
    problems.push({ path: 'StoreDirectory', message: 'HOME is not set, so the CurrentUser store must be given here' });
    return '';
  }
  return join(context.home, CURRENT_USER_STORES);
}

function validateStore(config: StoredCertificateConfig, context: ProviderContext): ProviderValidation<StoredCertificateSettings> {
  const problems: ConfigProblem[] = [];
  const thumbprint = config.Thumbprint.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{40}$/.test(thumbprint)) problems.push({ path: 'Thumbprint', message: 'must be the 40 hex digits of the certificate SHA-1 thumbprint' });
  if (config.StoreName === '') problems.push({ path: 'StoreName', message: 'is required with Thumbprint (e.g. My)' });
  else if (!/^[A-Za-z0-9_-]+$/.test(config.StoreName)) problems.push({ path: 'StoreName', message: 'must be a plain store name such as My' });
  const location = config.StoreLocation;
  if (location === '') {
    problems.push({ path: 'StoreLocation', message: 'is required with Thumbprint (CurrentUser or LocalMachine)' });
    return { ok: false, problems };
  }
  const storeDirectory = storeDirectoryOf(config, context, problems);
  return validation(problems, () => ({ kind: 'store' as const, thumbprint, storeName: config.StoreName, storeLocation: location, storeDirectory }));
}

async function readSetting(path: string, setting: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProviderSettingError(
      code === 'ENOENT' ? 'KEY_NOT_FOUND' : 'KEY_LOAD_FAILED',
      setting,
      `${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}`,
      { cause: error },
    );
  }
}

/** Opens a file key: PEM when the file is PEM text, PKCS#12 otherwise. */
async function openFile(settings: { filePath: string; keyFilePath: string }, context: OpenContext): Promise<SigningKey> {
  const certificate = await readSetting(settings.filePath, context.settingName('FilePath'));
  const files = settings.keyFilePath === '' ? [settings.filePath] : [settings.filePath, settings.keyFilePath];
  const privateKey = settings.keyFilePath === '' ? undefined : await readSetting(settings.keyFilePath, context.settingName('KeyFilePath'));
  return openStoredCertificateContent(
    { certificate, privateKey, password: context.password.value, keySetting: context.settingName('KeyFilePath') },
    { kind: KIND, revision: () => filesRevision(files) },
  );
}

/** Keys kept in files or in a .NET-style certificate store directory. */
export const storedCertificateProvider: OpenableSigningProvider<typeof StoredCertificateSchema, StoredCertificateSettings> = {
  kind: KIND,
  summary: 'a certificate and key from a PFX or PEM file, or from a .NET-style certificate store by thumbprint',
  configSchema: StoredCertificateSchema,
  validate(config, context) {
    const hasFile = config.FilePath !== '';
    const hasThumbprint = config.Thumbprint !== '';
    if (hasFile && hasThumbprint) {
      return { ok: false, problems: [{ path: '', message: 'FilePath and Thumbprint exclude each other; choose one certificate source' }] };
    }
    if (hasFile) {
      return {
        ok: true,
        settings: {
          kind: 'file',
          filePath: absolute(context.cwd, config.FilePath),
          keyFilePath: config.KeyFilePath === '' ? '' : absolute(context.cwd, config.KeyFilePath),
        },
      };
    }
    if (!hasThumbprint) {
      const message = `set FilePath (a PFX or PEM file), or Thumbprint with StoreName and StoreLocation, when ${context.modeSetting} is ${KIND}`;
      return { ok: false, problems: [{ path: '', message }] };
    }
    return validateStore(config, context);
  },
  source(settings) {
    return settings.kind === 'file'
      ? { field: 'FilePath', location: settings.filePath }
      : { field: 'Thumbprint', location: `${settings.thumbprint} in ${join(settings.storeDirectory, settings.storeName.toLowerCase())} (${settings.storeLocation})` };
  },
  async open(settings, context) {
    if (settings.kind === 'file') return openFile(settings, context);
    const directory = join(settings.storeDirectory, settings.storeName.toLowerCase());
    return certificateStoreKeyLoader.open(
      { thumbprint: settings.thumbprint, storeName: settings.storeName, storeDirectory: settings.storeDirectory, password: context.password.value },
      { kind: KIND, revision: async () => filesRevision(await certificateStoreFiles(directory, settings.thumbprint)) },
    );
  },
};
