// SPDX-License-Identifier: MIT
// GcpKms: an RSA key version that stays in Google Cloud KMS. Signatures are asymmetricSign calls
// over a digest with CRC32C integrity checks; the certificate comes from a PEM file or is
// self-issued by the key. @google-cloud/kms is loaded when a key is opened.

import { isAbsolute, resolve } from 'node:path';

import { Type, type Static } from 'typebox';

import { FIELD_METADATA, requiredFields, textField, validation } from '../provider-fields.js';
import { loadSdk } from '../remote/load-sdk.js';
import { RemoteResilienceFields, resilienceOptions } from '../remote/resilience-fields.js';
import { RemoteCaller, type ResilienceOptions } from '../remote/resilience.js';
import type { SigningKey } from '../../signing-key.js';
import type { ConfigProblem, KeySource, OpenableSigningProvider, OpenContext, ProviderContext, ProviderValidation } from '../signing-provider.js';
import { classifyGcpKmsFailure } from './gcp-kms-errors.js';
import { openGcpKmsKey, type GcpProtectionLevel } from './gcp-kms-key.js';

const KIND = 'GcpKms';

/** The `Signing:GcpKms` block, with the reference product's names plus the endpoint and resilience. */
export const GcpKmsSchema = Type.Object({
  ProjectId: textField('The Google Cloud project.', { flag: 'gcp-project' }),
  Location: textField('The key ring location, e.g. europe-west1.', { flag: 'gcp-location' }),
  KeyRing: textField('The key ring.', { flag: 'gcp-key-ring' }),
  KeyName: textField('The crypto key, or its full name projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/N].', { flag: 'gcp-kms-key' }),
  KeyVersion: textField('The crypto key version; empty uses the newest enabled one (and follows rotation).', { flag: 'gcp-kms-key-version' }),
  ProtectionLevel: Type.Enum(['Software', 'Hsm'], { default: 'Hsm', description: 'The protection level the key version must have; another one is refused.', [FIELD_METADATA]: { flag: 'gcp-protection-level' } }),
  CertificatePath: textField('PEM certificate (and chain) of the key; empty self-issues one signed by the key.', { flag: 'certificate-file' }),
  ServiceAccountKeyPath: textField('A service account key file; empty uses application default credentials.', { flag: 'gcp-service-account-key', password: 'value' }),
  ServiceAccountKeyPathConfigurationKey: textField('The configuration key (on the CLI: the environment variable) holding the service account key path.', {
    flag: 'gcp-service-account-key-variable',
    password: 'reference',
  }),
  ApiEndpoint: textField('The Cloud KMS endpoint as host[:port] (a regional or Private Service Connect endpoint); empty for cloudkms.googleapis.com.', { flag: 'gcp-kms-endpoint' }),
  ...RemoteResilienceFields,
});

/** A validated GcpKms (or GcpHsm) block. */
export interface GcpKmsSettings {
  /** `projects/P/locations/L/keyRings/R/cryptoKeys/K`. */
  readonly cryptoKey: string;
  readonly version: string;
  readonly protectionLevel: GcpProtectionLevel;
  /** Absolute, or empty to self-issue. */
  readonly certificatePath: string;
  /** Absolute, or empty for application default credentials. */
  readonly serviceAccountKeyPath: string;
  readonly endpoint: { readonly host: string; readonly port: number | undefined } | undefined;
  readonly resilience: ResilienceOptions;
}

/** The GcpKms block as the schema types it. */
export type GcpKmsConfig = Static<typeof GcpKmsSchema>;

const SEGMENT = /^[A-Za-z0-9_-]{1,63}$/;
const PROJECT = /^[a-z][a-z0-9-]{4,61}[a-z0-9]$|^[a-z0-9.:-]{1,100}$/;
const FULL_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+)(?:\/cryptoKeyVersions\/(\d+))?$/;
const ENDPOINT = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/;

function absolute(cwd: string, path: string): string {
  return path === '' || isAbsolute(path) ? path : resolve(cwd, path);
}

/** Checks a GcpKms block; `kind` names the mode in messages (GcpHsm validates through here). */
export function validateGcpKms(kind: string, config: GcpKmsConfig, context: ProviderContext): ProviderValidation<GcpKmsSettings> {
  const full = FULL_NAME.exec(config.KeyName);
  const [projectId, location, keyRing, keyName, fullVersion] = full === null ? [config.ProjectId, config.Location, config.KeyRing, config.KeyName, undefined] : full.slice(1);
  const parts = { ProjectId: projectId ?? '', Location: location ?? '', KeyRing: keyRing ?? '', KeyName: keyName ?? '' };
  const problems: ConfigProblem[] = full === null ? requiredFields(kind, config, ['ProjectId', 'Location', 'KeyRing', 'KeyName'], context) : [];
  if (parts.ProjectId !== '' && !PROJECT.test(parts.ProjectId)) problems.push({ path: 'ProjectId', message: 'must be a Google Cloud project id' });
  for (const field of ['Location', 'KeyRing', 'KeyName'] as const) {
    if (parts[field] !== '' && !SEGMENT.test(parts[field])) problems.push({ path: field, message: 'may hold only letters, digits, dashes and underscores (at most 63)' });
  }
  if (fullVersion !== undefined && config.KeyVersion !== '' && config.KeyVersion !== fullVersion) {
    problems.push({ path: 'KeyVersion', message: `contradicts the version ${fullVersion} in KeyName` });
  }
  const version = fullVersion ?? config.KeyVersion;
  if (version !== '' && !/^\d{1,10}$/.test(version)) problems.push({ path: 'KeyVersion', message: 'must be a version number, or empty for the newest enabled version' });
  const endpoint = ENDPOINT.exec(config.ApiEndpoint);
  if (config.ApiEndpoint !== '' && endpoint === null) problems.push({ path: 'ApiEndpoint', message: 'must be host or host:port, e.g. cloudkms.europe-west1.rep.googleapis.com' });
  return validation(problems, () => ({
    cryptoKey: `projects/${parts.ProjectId}/locations/${parts.Location}/keyRings/${parts.KeyRing}/cryptoKeys/${parts.KeyName}`,
    version,
    protectionLevel: config.ProtectionLevel === 'Hsm' ? 'HSM' : 'SOFTWARE',
    certificatePath: absolute(context.cwd, config.CertificatePath),
    serviceAccountKeyPath: absolute(context.cwd, context.password.value),
    endpoint: endpoint === null ? undefined : { host: endpoint[1] ?? '', port: endpoint[2] === undefined ? undefined : Number(endpoint[2]) },
    resilience: resilienceOptions(config),
  }));
}

/** Opens a validated GcpKms (or GcpHsm) block's key; `kind` is the key's reported kind. */
export async function openGcpKms(kind: string, settings: GcpKmsSettings, context: OpenContext): Promise<SigningKey> {
  const { KeyManagementServiceClient } = await loadSdk(kind, '@google-cloud/kms', () => import('@google-cloud/kms'));
  // One client per opened key, closed with it. Without a key file, application default
  // credentials apply (workload identity, GOOGLE_APPLICATION_CREDENTIALS, the metadata server).
  const client = new KeyManagementServiceClient({
    ...(settings.serviceAccountKeyPath === '' ? {} : { keyFilename: settings.serviceAccountKeyPath }),
    ...(settings.endpoint === undefined ? {} : { apiEndpoint: settings.endpoint.host, ...(settings.endpoint.port === undefined ? {} : { port: settings.endpoint.port }) }),
  });
  const described = `Cloud KMS key ${settings.cryptoKey}`;
  const caller = new RemoteCaller({ name: described, classify: (error) => classifyGcpKmsFailure(error, described) }, settings.resilience);
  try {
    return await openGcpKmsKey({
      kind,
      client,
      caller,
      cryptoKey: settings.cryptoKey,
      version: settings.version,
      protectionLevel: settings.protectionLevel,
      certificatePath: settings.certificatePath,
      certificateSetting: context.settingName('CertificatePath'),
      signal: context.signal ?? new AbortController().signal,
    });
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** Which field names the key of a GcpKms (or GcpHsm) block and which key or version it is. */
export function gcpKmsSource(settings: GcpKmsSettings): KeySource {
  return { field: 'KeyName', location: settings.version === '' ? settings.cryptoKey : `${settings.cryptoKey}/cryptoKeyVersions/${settings.version}` };
}

/** RSA key versions in Google Cloud KMS (software or HSM protection). */
export const gcpKmsProvider: OpenableSigningProvider<typeof GcpKmsSchema, GcpKmsSettings> = {
  kind: KIND,
  summary: 'an RSA key version that stays in Google Cloud KMS, with its certificate in a PEM file or self-issued by the key',
  configSchema: GcpKmsSchema,
  validate: (config, context) => validateGcpKms(KIND, config, context),
  source: gcpKmsSource,
  open: (settings, context) => openGcpKms(KIND, settings, context),
};
