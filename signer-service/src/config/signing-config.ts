// SPDX-License-Identifier: MIT
// Resolves the `Signing` section: Mode or its alias Provider among the registered providers, the
// password behind CertificatePasswordSecret, and the selected provider's block through its own
// validate. A provider that cannot open keys in this version is validated, then refused: never a
// silent fallback. Nothing here knows a provider's fields.

import {
  blockPasswordCandidates,
  resolveCertificatePassword,
  signingProvider,
  signingProviders,
  type PasswordCandidate,
  type ProviderContext,
  type SettingsContext,
  type SigningProvider,
} from '@reposign/signing';
import { resolve as resolvePath } from 'node:path';
import type { SigningConfig } from './config.js';
import type { RawSigning } from './schema.js';

/** What resolving needs besides the validated section. */
export interface SigningContext {
  /** Reads any configuration key (`A:B` or `A__B`, any case); undefined when it is not set. */
  readonly lookup: (key: string) => string | undefined;
  readonly home: string | undefined;
  readonly cwd: string;
  readonly storagePath: string;
}

/** The setting a user changes to give the key another password. */
const PASSWORD_SETTING = 'Signing:CertificatePasswordSecret';

/**
 * The password: Signing:CertificatePasswordSecret wins, then the provider's reference fields, then
 * its value fields, then Signing:CertificatePassword.
 */
function resolvePassword(raw: RawSigning, provider: SigningProvider, block: Readonly<Record<string, unknown>>, context: SigningContext, problems: string[]): SettingsContext['password'] {
  const { references, values } = blockPasswordCandidates(provider.configSchema, block, (field) => `Signing:${provider.kind}:${field}`);
  const candidates: PasswordCandidate[] = [
    { setting: 'Signing:CertificatePasswordSecret', reference: raw.CertificatePasswordSecret },
    ...references,
    ...values,
    { setting: 'Signing:CertificatePassword', value: raw.CertificatePassword },
  ];
  const resolution = resolveCertificatePassword(candidates, context.lookup, `(no password configured: ${PASSWORD_SETTING})`);
  if (resolution.problem === undefined) return resolution.password;
  problems.push(resolution.problem);
  return { value: '', key: resolution.problem };
}

/** How the feed names a provider's settings in messages, and the password it resolved. */
export function settingsContext(kind: string, password: SettingsContext['password']): SettingsContext {
  return {
    settingName: (field) => (field === '' ? `Signing:${kind}` : `Signing:${kind}:${field}`),
    modeSetting: 'Signing:Mode',
    password,
    passwordSetting: PASSWORD_SETTING,
  };
}

/** The selected provider's block, checked by the provider; undefined (with problems) when it is wrong or cannot open keys. */
function resolveProvider(raw: RawSigning, provider: SigningProvider, modeKey: string, context: SigningContext, problems: string[]): { settings: unknown; password: SettingsContext['password'] } | undefined {
  const block = (raw[provider.kind] ?? {}) as Readonly<Record<string, unknown>>;
  const password = resolvePassword(raw, provider, block, context, problems);
  const providerContext: ProviderContext = { ...settingsContext(provider.kind, password), cwd: context.cwd, dataDirectory: context.storagePath, home: context.home };
  const validated = provider.validate(block, providerContext);
  if (!validated.ok) problems.push(...validated.problems.map((problem) => `${providerContext.settingName(problem.path)}: ${problem.message}`));
  if (provider.unavailable !== undefined) {
    const available = signingProviders().filter((candidate) => candidate.unavailable === undefined).map((candidate) => candidate.kind);
    problems.push(
      `${modeKey}: mode ${provider.kind} is not available in this version of reposign (available: ${available.join(', ')}): ${provider.unavailable}; the feed refuses to start rather than sign with anything else`,
    );
    return undefined;
  }
  return validated.ok ? { settings: validated.settings, password } : undefined;
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
  const resolved = resolveProvider(raw, signingProvider(mode), modeKey, context, problems);
  if (raw.AllowUnsignedOnFailure && mode !== 'SelfSigned') {
    problems.push(`Signing:AllowUnsignedOnFailure: applies only to SelfSigned mode; in ${mode} mode a failed signing always fails the upload`);
  }
  if (raw.TimestampServerUrl !== '' && raw.TimestampServerUrl.split(';').some((url) => !/^https?:\/\/\S+$/i.test(url.trim()))) {
    problems.push("Signing:TimestampServerUrl: must be an http or https URL (or several separated by ';', tried in order), or empty to disable timestamps");
  }
  if (problems.length > before || resolved === undefined) return undefined;
  return {
    mode,
    timestampServerUrl: raw.TimestampServerUrl,
    publishSignaturePolicy: raw.PublishSignaturePolicy,
    hashAlgorithm: raw.HashAlgorithm,
    signOnPush: raw.SignOnPush,
    allowUnsignedOnFailure: raw.AllowUnsignedOnFailure,
    reloadIntervalMs: Math.round(raw.ReloadIntervalSeconds * 1000),
    rotation: { enabled: raw.Rotation.Enabled, packagesPerMinute: raw.Rotation.PackagesPerMinute },
    password: resolved.password,
    settings: resolved.settings,
    publishedCertificatesPath: raw.PublishedCertificatesPath === '' ? '' : resolvePath(context.cwd, raw.PublishedCertificatesPath),
  };
}
