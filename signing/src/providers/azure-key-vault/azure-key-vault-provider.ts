// SPDX-License-Identifier: MIT
// AzureKeyVault: a certificate in Azure Key Vault whose key never leaves the vault. The certificate
// comes from the certificates API; every signature is a keys `sign` call on the certificate's key.
// The Azure SDKs are loaded when a key is opened.

import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

import { Type, type Static } from 'typebox';

import { certificatesFromPem, parseCertificate } from '../../certificates/certificate.js';
import { assertSigningCertificate } from '../../certificates/signing-certificate-policy.js';
import { ReposignError } from '../../errors.js';
import { FIELD_METADATA, requiredFields, textField, validation } from '../provider-fields.js';
import type { SigningKey } from '../../signing-key.js';
import { loadSdk } from '../remote/load-sdk.js';
import type { ResilienceOptions } from '../remote/resilience.js';
import { RemoteResilienceFields, resilienceOptions } from '../remote/resilience-fields.js';
import { ProviderSettingError, type ConfigProblem, type OpenableSigningProvider, type OpenContext } from '../signing-provider.js';
import { azureCredential, type AzureAuthentication } from './azure-credential.js';
import { azureKeyVaultKey } from './azure-key-vault-key.js';
import { assertCertificateKey, keyVaultPublicKey } from './key-vault-key-checks.js';
import { vaultCaller, vaultRequest } from './vault-request.js';

const KIND = 'AzureKeyVault';

/** The `Signing:AzureKeyVault` block, with the reference product's names plus the chain and the authority. */
export const AzureKeyVaultSchema = Type.Object({
  VaultUri: textField('The vault, e.g. https://myvault.vault.azure.net/.', { flag: 'azure-key-vault-url' }),
  CertificateName: textField('The Key Vault certificate whose key signs.', { flag: 'azure-key-vault-certificate' }),
  CertificateVersion: textField('A certificate version; empty uses the current one (and follows renewals).', { flag: 'azure-key-vault-certificate-version' }),
  AuthenticationMode: Type.Enum(['Default', 'ManagedIdentity', 'ClientSecret'], { default: 'Default', description: 'How to authenticate to Key Vault.', [FIELD_METADATA]: { flag: 'azure-authentication-mode' } }),
  TenantId: textField('Entra ID tenant (ClientSecret authentication).', { flag: 'azure-tenant-id' }),
  ClientId: textField('Application (client) id: ClientSecret authentication, or a user-assigned managed identity.', { flag: 'azure-client-id' }),
  ClientSecret: textField('The client secret (ClientSecret authentication).', { flag: 'azure-client-secret', password: 'value' }),
  ClientSecretConfigurationKey: textField('The configuration key (on the CLI: the environment variable) holding the client secret.', { flag: 'azure-client-secret-variable', password: 'reference' }),
  AuthorityHost: textField('The Entra ID authority host of a sovereign or private cloud, e.g. https://login.microsoftonline.us; empty for the default.', { flag: 'azure-authority-host' }),
  CertificateChainPath: textField('A PEM file of the issuing CA certificates, sent with each signature (Key Vault returns only the certificate itself).', { flag: 'azure-key-vault-chain' }),
  DisableChallengeResourceVerification: Type.Boolean({
    default: false,
    description: 'Accept a bearer challenge whose resource is not a parent domain of the vault host (a vault behind a proxy or custom domain).',
    [FIELD_METADATA]: { flag: 'azure-disable-challenge-resource-verification' },
  }),
  ...RemoteResilienceFields,
});

type AzureKeyVaultConfig = Static<typeof AzureKeyVaultSchema>;

/** A validated AzureKeyVault block; paths are absolute. */
export interface AzureKeyVaultSettings {
  /** The vault URL without a trailing slash. */
  readonly vaultUrl: string;
  readonly certificateName: string;
  /** Empty for the current version. */
  readonly certificateVersion: string;
  readonly authentication: AzureAuthentication;
  readonly authorityHost: string;
  readonly certificateChainPath: string;
  readonly disableChallengeResourceVerification: boolean;
  readonly resilience: ResilienceOptions;
}

/** Key Vault object names: 1–127 letters, digits and dashes. */
const OBJECT_NAME = /^[0-9A-Za-z-]{1,127}$/;
const OBJECT_VERSION = /^[0-9A-Za-z]{1,64}$/;
/** A key id: `https://<vault>/keys/<name>/<version>`. */
const KEY_ID = /^https:\/\/[^/]+\/keys\/([0-9A-Za-z-]+)\/([0-9A-Za-z]+)$/;

function problemsOf(config: AzureKeyVaultConfig, secret: string, modeSetting: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.VaultUri !== '' && !/^https:\/\/[^/\s]+\/?$/i.test(config.VaultUri)) {
    problems.push({ path: 'VaultUri', message: 'must be an https URL such as https://myvault.vault.azure.net/' });
  }
  if (config.CertificateName !== '' && !OBJECT_NAME.test(config.CertificateName)) {
    problems.push({ path: 'CertificateName', message: 'must be a Key Vault object name (1-127 letters, digits and dashes)' });
  }
  if (config.CertificateVersion !== '' && !OBJECT_VERSION.test(config.CertificateVersion)) {
    problems.push({ path: 'CertificateVersion', message: 'must be a Key Vault object version (letters and digits), or empty for the current one' });
  }
  if (config.AuthorityHost !== '' && !/^https:\/\/[^/\s]+\/?$/i.test(config.AuthorityHost)) {
    problems.push({ path: 'AuthorityHost', message: 'must be an https URL such as https://login.microsoftonline.us' });
  }
  if (config.AuthenticationMode === 'ClientSecret' && secret === '') {
    problems.push({ path: 'ClientSecret', message: `set ClientSecret or ClientSecretConfigurationKey when ${modeSetting} is ${KIND} with AuthenticationMode ClientSecret` });
  }
  return problems;
}

function authenticationOf(config: AzureKeyVaultConfig): AzureAuthentication {
  return config.AuthenticationMode === 'ClientSecret'
    ? { mode: 'ClientSecret', tenantId: config.TenantId, clientId: config.ClientId }
    : { mode: config.AuthenticationMode, clientId: config.ClientId };
}

/** The issuers of CertificateChainPath, DER; none when it is not set. */
async function readIssuers(settings: AzureKeyVaultSettings, context: OpenContext): Promise<Uint8Array[]> {
  if (settings.certificateChainPath === '') return [];
  let pem: string;
  try {
    pem = await readFile(settings.certificateChainPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProviderSettingError(code === 'ENOENT' ? 'KEY_NOT_FOUND' : 'KEY_LOAD_FAILED', context.settingName('CertificateChainPath'), `${settings.certificateChainPath} cannot be read (${code ?? 'error'})`, { cause: error });
  }
  const issuers = certificatesFromPem(pem);
  if (issuers.length === 0) {
    throw new ProviderSettingError('CERTIFICATE_INVALID', context.settingName('CertificateChainPath'), `${settings.certificateChainPath} holds no PEM certificate`);
  }
  return issuers;
}

/** Milliseconds a revision check may take in all, retries included. */
const REVISION_TIMEOUT_MS = 60_000;

async function open(settings: AzureKeyVaultSettings, context: OpenContext): Promise<SigningKey> {
  const signal = context.signal ?? new AbortController().signal;
  const credential = await azureCredential(settings.authentication, { authorityHost: settings.authorityHost, clientSecret: context.password.value });
  const [{ CertificateClient }, { KeyClient, CryptographyClient }] = await Promise.all([
    loadSdk(KIND, '@azure/keyvault-certificates', () => import('@azure/keyvault-certificates')),
    loadSdk(KIND, '@azure/keyvault-keys', () => import('@azure/keyvault-keys')),
  ]);
  // The key's RemoteCaller owns timeouts, retries and the circuit breaker; the SDK makes one attempt,
  // so retries are not multiplied (the bearer challenge is not a retry and still works).
  const clientOptions = { disableChallengeResourceVerification: settings.disableChallengeResourceVerification, retryOptions: { maxRetries: 0 } };
  const name = settings.certificateName;
  const caller = vaultCaller(`Azure Key Vault certificate '${name}' in ${settings.vaultUrl}`, settings.resilience);
  const certificates = new CertificateClient(settings.vaultUrl, credential, clientOptions);
  const current = (requestSignal: AbortSignal) =>
    settings.certificateVersion === ''
      ? certificates.getCertificate(name, { abortSignal: requestSignal })
      : certificates.getCertificateVersion(name, settings.certificateVersion, { abortSignal: requestSignal });
  const reading = `reading certificate '${name}'`;
  const certificate = await vaultRequest(caller, 'GetCertificate', reading, current, signal);
  const keyId = certificate.keyId ?? '';
  const keyParts = KEY_ID.exec(keyId);
  if (certificate.cer === undefined || keyParts === null) {
    throw new ReposignError('KEY_LOAD_FAILED', `Azure Key Vault certificate '${name}' has no issued certificate with a key yet (is its issuance pending?).`);
  }
  const parsed = parseCertificate(certificate.cer);
  const keys = new KeyClient(settings.vaultUrl, credential, clientOptions);
  const key = await vaultRequest(caller, 'GetKey', `reading key ${keyId}`, (requestSignal) => keys.getKey(keyParts[1] ?? '', { version: keyParts[2], abortSignal: requestSignal }), signal);
  const described = `the Key Vault key of certificate '${name}'`;
  assertCertificateKey(parsed, keyVaultPublicKey(key.key ?? {}, described), described);
  assertSigningCertificate(parsed, context.now);
  const version = certificate.properties.version ?? '';
  return azureKeyVaultKey({
    kind: KIND,
    chain: [certificate.cer, ...(await readIssuers(settings, context))],
    cryptography: new CryptographyClient(key, credential, clientOptions),
    keyId,
    caller,
    revision:
      settings.certificateVersion === ''
        ? async () => (await vaultRequest(caller, 'GetCertificate', reading, current, AbortSignal.timeout(REVISION_TIMEOUT_MS))).properties.version ?? ''
        : async () => version,
  });
}

/** Certificates whose keys stay in Azure Key Vault (software, HSM or Managed HSM keys). */
export const azureKeyVaultProvider: OpenableSigningProvider<typeof AzureKeyVaultSchema, AzureKeyVaultSettings> = {
  kind: KIND,
  summary: 'a certificate whose key stays in Azure Key Vault',
  configSchema: AzureKeyVaultSchema,
  validate(config, context) {
    const problems = [...requiredFields(KIND, config, ['VaultUri', 'CertificateName'], context), ...problemsOf(config, context.password.value, context.modeSetting)];
    if (config.AuthenticationMode === 'ClientSecret') problems.push(...requiredFields(KIND, config, ['TenantId', 'ClientId'], context));
    return validation(problems, () => ({
      vaultUrl: config.VaultUri.replace(/\/$/, ''),
      certificateName: config.CertificateName,
      certificateVersion: config.CertificateVersion,
      authentication: authenticationOf(config),
      authorityHost: config.AuthorityHost,
      certificateChainPath: config.CertificateChainPath === '' || isAbsolute(config.CertificateChainPath) ? config.CertificateChainPath : resolve(context.cwd, config.CertificateChainPath),
      disableChallengeResourceVerification: config.DisableChallengeResourceVerification,
      resilience: resilienceOptions(config),
    }));
  },
  source: (settings) => ({ field: 'CertificateName', location: `${settings.certificateName} in ${settings.vaultUrl}` }),
  open,
};
