// SPDX-License-Identifier: MIT
// Pkcs11: a key on a PKCS#11 token (Thales Luna, YubiHSM, AWS CloudHSM, nCipher, SoftHSM2) that
// never leaves it. Every signature is one C_Sign with CKM_RSA_PKCS over the DigestInfo; the
// certificate comes from a PEM file or is self-issued by the token's key. pkcs11js (a native addon)
// is loaded when a key is opened, so other modes never load it.

import { isAbsolute, resolve } from 'node:path';

import { Type, type Static } from 'typebox';

import { isReposignError } from '../../errors.js';
import { requiredFields, requiredOneOf, textField, validation } from '../provider-fields.js';
import { loadSdk } from '../remote/load-sdk.js';
import { openRemoteSigningKey } from '../remote/remote-signing-key.js';
import { RemoteCaller, type ResilienceOptions } from '../remote/resilience.js';
import { RemoteResilienceFields, resilienceOptions } from '../remote/resilience-fields.js';
import { ProviderSettingError, type ConfigProblem, type OpenableSigningProvider } from '../signing-provider.js';
import { classifyPkcs11Error, Pkcs11Key, type Pkcs11KeyLocation } from './pkcs11-key.js';

const KIND = 'Pkcs11';

/** The `Signing:Pkcs11` block, with the reference product's names plus resilience settings. */
export const Pkcs11Schema = Type.Object({
  ModulePath: textField("The PKCS#11 module (.so), e.g. SoftHSM2's /usr/lib/softhsm/libsofthsm2.so.", { flag: 'pkcs11-module' }),
  TokenLabel: textField('The token, by label.', { flag: 'pkcs11-token' }),
  SlotId: textField('The token, by slot id (decimal).', { flag: 'pkcs11-slot' }),
  KeyLabel: textField('The private key, by label (CKA_LABEL).', { flag: 'pkcs11-key-label' }),
  KeyId: textField('The private key, by id (CKA_ID, hex).', { flag: 'pkcs11-key-id' }),
  Pin: textField('The user PIN.', { flag: 'pkcs11-pin', password: 'value' }),
  PinConfigurationKey: textField('The configuration key (on the CLI: the environment variable) holding the user PIN.', { flag: 'pkcs11-pin-variable', password: 'reference' }),
  CertificatePath: textField("PEM certificate (chain) of the token's key; empty self-issues a certificate signed by the key.", { flag: 'certificate-file' }),
  ...RemoteResilienceFields,
});

type Pkcs11Config = Static<typeof Pkcs11Schema>;

/** A validated Pkcs11 block; paths are absolute. The PIN comes from the context's password. */
export interface Pkcs11Settings extends Omit<Pkcs11KeyLocation, 'pin'> {
  /** Absolute, or empty to self-issue. */
  readonly certificatePath: string;
  readonly resilience: ResilienceOptions;
}

function problemsOf(config: Pkcs11Config, pin: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.ModulePath !== '' && !isAbsolute(config.ModulePath)) problems.push({ path: 'ModulePath', message: 'must be an absolute path to the module (.so)' });
  if (config.SlotId !== '' && !/^\d{1,10}$/.test(config.SlotId)) problems.push({ path: 'SlotId', message: 'must be a decimal slot id' });
  if (config.TokenLabel !== '' && config.SlotId !== '') problems.push({ path: '', message: 'TokenLabel and SlotId exclude each other; choose one' });
  if (config.KeyId !== '' && !/^([0-9A-Fa-f]{2})+$/.test(config.KeyId)) problems.push({ path: 'KeyId', message: 'must be the CKA_ID in hex' });
  if (config.KeyLabel !== '' && config.KeyId !== '') problems.push({ path: '', message: 'KeyLabel and KeyId exclude each other; choose one' });
  if (pin === '') problems.push({ path: 'Pin', message: 'set Pin or PinConfigurationKey: the key is used after a user login' });
  return problems;
}

function describe(settings: Pick<Pkcs11Settings, 'keyLabel' | 'keyId' | 'tokenLabel' | 'slotId'>): string {
  const key = settings.keyLabel !== '' ? `label ${settings.keyLabel}` : `id ${settings.keyId}`;
  const token = settings.tokenLabel !== '' ? `token ${settings.tokenLabel}` : `slot ${settings.slotId}`;
  return `PKCS#11 key ${key} on ${token}`;
}

/** Keys on PKCS#11 tokens (HSMs), signing on the token. */
export const pkcs11Provider: OpenableSigningProvider<typeof Pkcs11Schema, Pkcs11Settings> = {
  kind: KIND,
  summary: 'a key that never leaves a PKCS#11 token (HSM); its certificate from a PEM file or self-issued by the key',
  configSchema: Pkcs11Schema,
  validate(config, context) {
    const problems = [
      ...requiredFields(KIND, config, ['ModulePath'], context),
      ...requiredOneOf(KIND, config, ['TokenLabel', 'SlotId'], context),
      ...requiredOneOf(KIND, config, ['KeyLabel', 'KeyId'], context),
      ...problemsOf(config, context.password.value),
    ];
    return validation(problems, () => ({
      modulePath: config.ModulePath,
      tokenLabel: config.TokenLabel,
      slotId: config.SlotId,
      keyLabel: config.KeyLabel,
      keyId: config.KeyId.toLowerCase(),
      certificatePath: config.CertificatePath === '' ? '' : isAbsolute(config.CertificatePath) ? config.CertificatePath : resolve(context.cwd, config.CertificatePath),
      resilience: resilienceOptions(config),
    }));
  },
  source(settings) {
    return { field: settings.keyLabel !== '' ? 'KeyLabel' : 'KeyId', location: `${describe(settings)} (${settings.modulePath})` };
  },
  async open(settings, context) {
    const signal = context.signal ?? new AbortController().signal;
    const keyName = describe(settings);
    const api = (await loadSdk(KIND, 'pkcs11js', () => import('pkcs11js'))).default;
    let key: Pkcs11Key;
    try {
      key = new Pkcs11Key(api, { ...settings, pin: context.password.value }, keyName);
    } catch (error) {
      throw new ProviderSettingError('KEY_LOAD_FAILED', context.settingName('ModulePath'), `${settings.modulePath} could not be loaded as a PKCS#11 module (${error instanceof Error ? error.message : String(error)})`, {
        cause: error,
      });
    }
    const caller = new RemoteCaller({ name: keyName, classify: (error) => classifyPkcs11Error(error, keyName) }, settings.resilience);
    let spki: Uint8Array;
    try {
      spki = await caller.call('read the public key', (requestSignal) => key.publicKey(requestSignal), signal);
    } catch (error) {
      await key.close();
      if (isReposignError(error, 'KEY_ACCESS_DENIED')) throw new ProviderSettingError('KEY_ACCESS_DENIED', context.settingName('Pin'), error.message, { cause: error });
      throw error;
    }
    return openRemoteSigningKey({
      kind: KIND,
      keyName,
      keyIdentity: `${settings.modulePath}|${settings.tokenLabel || settings.slotId}|${settings.keyLabel || settings.keyId}`,
      operations: key,
      caller,
      spki,
      certificatePath: settings.certificatePath,
      certificateSetting: context.settingName('CertificatePath'),
      signal,
    });
  },
};
