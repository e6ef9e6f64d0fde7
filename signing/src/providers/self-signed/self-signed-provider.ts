// SPDX-License-Identifier: MIT
// SelfSigned: a generated code-signing certificate persisted as a password-protected PFX, reused
// while it matches the settings and is not near expiry, regenerated otherwise. Opening may write
// the PFX, so front ends with several processes serialise opens (the feed: a database lock).

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';

import { Type } from 'typebox';

import { isReposignError } from '../../errors.js';
import { describeCertificate } from '../../certificates/certificate.js';
import { generateSelfSignedCertificate } from '../../certificates/self-signed-certificate.js';
import { filesRevision } from '../local/file-revision.js';
import { exportPfx } from '../local/pfx-export.js';
import { pfxKeyLoader } from '../local/pfx-key.js';
import { FIELD_METADATA, textField, validation } from '../provider-fields.js';
import type { SigningKey } from '../../signing-key.js';
import { ProviderSettingError, type OpenableSigningProvider, type OpenContext } from '../signing-provider.js';
import { selfSignedMismatch, type SelfSignedSettings } from './self-signed-renewal.js';

export type { SelfSignedSettings };

const KIND = 'SelfSigned';
const DEFAULT_COMMON_NAME = 'CN=reposign repository signing (self-signed)';

/** The `Signing:SelfSigned` block. */
export const SelfSignedSchema = Type.Object({
  SubjectName: textField('Full distinguished name; empty builds `CN=reposign repository signing (self-signed)` plus O, OU and C.'),
  Organization: textField('O of the built subject.'),
  OrganizationalUnit: textField('OU of the built subject.'),
  Country: Type.String({ default: '', pattern: '^([A-Za-z]{2})?$', description: 'C of the built subject: a two-letter ISO country code.' }),
  KeySize: Type.Enum([2048, 3072, 4096], {
    default: 4096,
    description: 'RSA key size: 2048, 3072 or 4096 (or the reference product spelling KeySize4096).',
    [FIELD_METADATA]: { aliases: { KeySize2048: 2048, KeySize3072: 3072, KeySize4096: 4096 } },
  }),
  ValidityInDays: Type.Integer({ minimum: 1, maximum: 3650, default: 3650, description: 'Validity of a generated certificate.' }),
  HashAlgorithm: Type.Enum(['SHA256', 'SHA384', 'SHA512'], {
    default: 'SHA256',
    description: "The certificate's own signature algorithm.",
    [FIELD_METADATA]: { flag: 'certificate-hash-algorithm' },
  }),
  CertificatePath: Type.String({
    minLength: 1,
    default: 'certs/repository-signing.pfx',
    description: 'The persisted PFX, relative to the data directory (the feed: Storage:Path); created when missing.',
  }),
  RenewBeforeDays: Type.Integer({ minimum: 0, maximum: 3649, default: 30, description: 'A new certificate is generated when the current one has fewer days left than this.' }),
  CertificatePasswordSecret: textField('The configuration key (on the CLI: the environment variable) holding the PFX password.', { password: 'reference' }),
});

function subjectName(config: { SubjectName: string; Organization: string; OrganizationalUnit: string; Country: string }): string {
  if (config.SubjectName !== '') return config.SubjectName;
  const parts = [DEFAULT_COMMON_NAME];
  if (config.Organization !== '') parts.push(`O=${config.Organization}`);
  if (config.OrganizationalUnit !== '') parts.push(`OU=${config.OrganizationalUnit}`);
  if (config.Country !== '') parts.push(`C=${config.Country.toUpperCase()}`);
  return parts.join(', ');
}

async function readExisting(path: string, context: OpenContext): Promise<Buffer | undefined> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new ProviderSettingError('KEY_LOAD_FAILED', context.settingName('CertificatePath'), `${path} cannot be read (${error.code ?? error.message}).`, { cause: error });
  });
}

/**
 * Opens a persisted PFX. Its revision is the file's digest, with a marker once the certificate is
 * due for renewal: a reloader then sees a new revision and opens the key again, which renews it.
 */
function openPersisted(pfx: Uint8Array, settings: SelfSignedSettings, context: OpenContext): Promise<SigningKey> {
  const opening: Promise<SigningKey> = pfxKeyLoader.open(
    { pfx, password: context.password.value },
    {
      kind: KIND,
      revision: async () => {
        const digest = await filesRevision([settings.certificatePath]);
        const leaf = (await opening).certificateChain()[0];
        const due = leaf !== undefined && selfSignedMismatch(describeCertificate(leaf), settings, new Date()) !== undefined;
        return due ? `${digest}+renewal-due` : digest;
      },
    },
  );
  return opening;
}

/** Opens the persisted PFX; undefined when it is not a readable PKCS#12 file (it is then replaced). */
async function openExisting(pfx: Buffer, settings: SelfSignedSettings, context: OpenContext): Promise<SigningKey | undefined> {
  try {
    return await openPersisted(pfx, settings, context);
  } catch (error) {
    if (isReposignError(error, 'KEY_BAD_PASSWORD')) {
      // A changed password never silently replaces the feed's identity: the operator decides.
      throw new ProviderSettingError(
        'KEY_BAD_PASSWORD',
        context.passwordSetting,
        `the certificate persisted at ${settings.certificatePath} cannot be opened with the password from ${context.password.key}. Restore the previous password, or delete the file to generate a new certificate.`,
        { cause: error },
      );
    }
    return undefined;
  }
}

async function generate(settings: SelfSignedSettings, context: OpenContext): Promise<Uint8Array> {
  try {
    const generated = await generateSelfSignedCertificate({
      subject: settings.subjectName,
      keyBits: settings.keySize,
      validityDays: settings.validityInDays,
      hashAlgorithm: settings.hashAlgorithm,
    });
    return exportPfx({ certificatePem: generated.certificatePem, privateKeyPem: generated.privateKeyPem, password: context.password.value });
  } catch (error) {
    if (isReposignError(error, 'INVALID_ARGUMENT')) throw new ProviderSettingError('INVALID_ARGUMENT', context.settingName('SubjectName'), error.message, { cause: error });
    throw error;
  }
}

/** Writes next to the target and renames, so a reader never sees half a file. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${randomUUID()}.partial`;
  try {
    await writeFile(partial, bytes, { mode: 0o600 });
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
}

/** A generated certificate persisted as a PFX. */
export const selfSignedProvider: OpenableSigningProvider<typeof SelfSignedSchema, SelfSignedSettings> = {
  kind: KIND,
  summary: 'a generated self-signed certificate, persisted as a password-protected PFX and renewed before it expires',
  configSchema: SelfSignedSchema,
  writesKeyMaterial: true,
  validate(config, context) {
    const problems =
      config.RenewBeforeDays >= config.ValidityInDays ? [{ path: 'RenewBeforeDays', message: `must be less than ${context.settingName('ValidityInDays')}` }] : [];
    return validation(problems, () => ({
      subjectName: subjectName(config),
      keySize: config.KeySize,
      validityInDays: config.ValidityInDays,
      hashAlgorithm: config.HashAlgorithm,
      certificatePath: isAbsolute(config.CertificatePath) ? config.CertificatePath : resolve(context.dataDirectory, config.CertificatePath),
      renewBeforeDays: config.RenewBeforeDays,
    }));
  },
  source(settings) {
    return { field: 'CertificatePath', location: settings.certificatePath };
  },
  /**
   * Opens the certificate at `certificatePath`, generating (and persisting) a new one when the file
   * is missing or unreadable, no longer matches the settings, or is within the renewal window.
   * Throws KEY_BAD_PASSWORD when the persisted file cannot be opened with the configured password.
   */
  async open(settings, context) {
    const existing = await readExisting(settings.certificatePath, context);
    let reason = 'no certificate was persisted yet';
    if (existing !== undefined) {
      const key = await openExisting(existing, settings, context);
      const leaf = key?.certificateChain()[0];
      const mismatch = leaf === undefined ? 'the persisted file is not a readable PFX' : selfSignedMismatch(describeCertificate(leaf), settings, context.now ?? new Date());
      if (key !== undefined && mismatch === undefined) return key;
      await key?.close();
      reason = mismatch ?? reason;
    }
    const pfx = await generate(settings, context);
    await writeAtomically(settings.certificatePath, pfx);
    const key = await openPersisted(pfx, settings, context);
    context.keyCreated?.(reason);
    return key;
  },
};
