// SPDX-License-Identifier: MIT
// A remote mode's provider block, from the RepositorySigner's camelCase fields and Secret
// references back to the engine's `Signing:<Mode>` section, twice: once for the operator's own
// open of the key (credential files in a private directory that is removed after the pass), once
// for the signer-service (credentials copied into its configuration Secret, files mounted there).

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { passwordFields, type ResolvedSecret, type SettingsContext, type SigningProvider } from '@reposign/signing';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { camelCase, crdField } from '../api/v1alpha1/provider-blocks.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import { mountedFile } from '../objects/signer-config-secret.js';
import type { ModeContext, ModeState } from './mode-handler.js';
import { isSecretKeyRef, readSecretKey, secretText } from './secret-key-ref.js';

/** A provider block resolved for the engine and for the signer-service. */
export interface ResolvedProviderBlock {
  /** The engine's section with its defaults; file fields name files in the private directory. */
  readonly config: Record<string, unknown>;
  /** The credential the engine reads as its password (a client secret, a PIN, a key file path). */
  readonly password: ResolvedSecret;
  /** The signer-service's configuration: the user's fields, credential values, files under the mount path. */
  readonly signerConfig: NonNullable<ModeState['signerConfig']>;
}

/** The spec key of mode `mode`'s block: `AwsKms` → `awsKms`. */
export function blockNameOf(mode: string): string {
  return camelCase(mode);
}

/** How the operator names engine field `field` of `mode` in messages: `spec.awsKms.certificateSecretRef`. */
export function specSettingName(mode: string, field: string): string {
  const spelled = field === '' ? undefined : crdField(mode, field);
  const block = `spec.${blockNameOf(mode)}`;
  return spelled === undefined || spelled.kind === 'omitted' ? block : `${block}.${spelled.name}`;
}

/** The settings context the operator opens keys with. */
export function operatorSettingsContext(mode: string, password: ResolvedSecret): SettingsContext {
  return { settingName: (field) => specSettingName(mode, field), modeSetting: 'spec.mode', password, passwordSetting: password.key };
}

/** The config Secret key of the file engine field `field` names: `CertificateChainPath` → `certificate-chain`. */
function fileKey(field: string): string {
  return field
    .replace(/Path$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

/**
 * Resolves `signer`'s block of `provider`: plain fields are copied, `*SecretRef` values read from
 * the user's Secrets. Files are written to `dir` for the engine and added to the signer-service's
 * files; secret values go into its section as values (the configuration Secret is itself a
 * Secret, and the Deployment then needs no other Secret). Returns a sentence when a referenced
 * Secret or key is missing.
 */
export async function resolveProviderBlock(
  signer: RepositorySigner,
  provider: SigningProvider,
  context: ModeContext,
  mountPath: string,
  dir: string,
): Promise<ResolvedProviderBlock | string> {
  const mode = provider.kind;
  const raw = signer.spec[blockNameOf(mode)];
  const block = typeof raw === 'object' && raw !== null ? (raw as Readonly<Record<string, unknown>>) : {};
  const properties = provider.configSchema.properties as Readonly<Record<string, TSchema>>;
  const passwordValueFields = new Set(passwordFields(properties, 'value'));
  const engine: Record<string, unknown> = {};
  const service: Record<string, unknown> = {};
  const files: Record<string, Uint8Array> = {};
  let password: ResolvedSecret = { value: '', key: '(none)' };
  for (const field of Object.keys(properties)) {
    const spelled = crdField(mode, field);
    if (spelled.kind === 'omitted') continue;
    const value = block[spelled.name];
    if (value === undefined) continue;
    if (spelled.kind === 'value') {
      engine[field] = value;
      service[field] = value;
      continue;
    }
    if (!isSecretKeyRef(value)) return `${specSettingName(mode, field)} must name a Secret and a key`;
    const bytes = await readSecretKey(context, signer.metadata.namespace, value);
    if (typeof bytes === 'string') return `${specSettingName(mode, field)}: ${bytes}`;
    let resolved: string;
    if (spelled.kind === 'secretFile') {
      const key = fileKey(field);
      resolved = join(dir, key);
      await writeFile(resolved, bytes, { mode: 0o600 });
      files[key] = bytes;
      service[field] = mountedFile(mountPath, key);
    } else {
      resolved = secretText(bytes);
      service[field] = resolved;
    }
    engine[field] = resolved;
    if (passwordValueFields.has(field)) password = { value: resolved, key: specSettingName(mode, field) };
  }
  return {
    config: Value.Default(provider.configSchema, engine) as Record<string, unknown>,
    password,
    signerConfig: { signing: { Mode: mode, [mode]: service }, files },
  };
}
