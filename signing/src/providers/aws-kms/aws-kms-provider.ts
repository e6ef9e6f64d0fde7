// SPDX-License-Identifier: MIT
// AwsKms: an RSA key that never leaves AWS KMS. Every signature is one KMS `Sign` call with
// MessageType DIGEST; the certificate comes from a PEM file or is self-issued through the key.
// The AWS SDK is loaded when a key is opened, so other modes never load it.

import { isAbsolute, resolve } from 'node:path';

import { Type, type Static } from 'typebox';

import { remoteRsaPublicKey } from '../../certificates/remote-issued-certificate.js';
import { ReposignError } from '../../errors.js';
import type { HashAlgorithmName } from '../../hash-algorithm.js';
import { FIELD_METADATA, requiredFields, textField, validation } from '../provider-fields.js';
import { loadSdk } from '../remote/load-sdk.js';
import { openRemoteSigningKey } from '../remote/remote-signing-key.js';
import { RemoteCaller, type ResilienceOptions } from '../remote/resilience.js';
import { RemoteResilienceFields, resilienceOptions } from '../remote/resilience-fields.js';
import type { ConfigProblem, OpenableSigningProvider } from '../signing-provider.js';
import { classifyAwsKmsError } from './aws-kms-errors.js';

const KIND = 'AwsKms';

/** The KMS algorithms NuGet can use: RSASSA-PKCS1-v1_5 with SHA-2, by the hash they fix. */
const PKCS1_ALGORITHMS = {
  RSASSA_PKCS1_V1_5_SHA_256: 'SHA256',
  RSASSA_PKCS1_V1_5_SHA_384: 'SHA384',
  RSASSA_PKCS1_V1_5_SHA_512: 'SHA512',
} as const satisfies Record<string, HashAlgorithmName>;

type Pkcs1Algorithm = keyof typeof PKCS1_ALGORITHMS;

const ALGORITHM_OF_HASH: Readonly<Record<HashAlgorithmName, Pkcs1Algorithm>> = {
  SHA256: 'RSASSA_PKCS1_V1_5_SHA_256',
  SHA384: 'RSASSA_PKCS1_V1_5_SHA_384',
  SHA512: 'RSASSA_PKCS1_V1_5_SHA_512',
};

/** The `Signing:AwsKms` block, with the reference product's names plus an endpoint and resilience settings. */
export const AwsKmsSchema = Type.Object({
  Region: textField('The AWS region of the key, e.g. eu-west-1.', { flag: 'aws-region' }),
  KeyId: textField('Key id, key ARN, alias name (alias/...) or alias ARN.', { flag: 'aws-kms-key-id' }),
  SigningAlgorithm: Type.Enum(['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256'], {
    default: 'RSASSA_PKCS1_V1_5_SHA_256',
    description: 'RSASSA_PKCS1_V1_5_SHA_256/384/512 (PSS is refused: NuGet signatures are PKCS#1 v1.5). Signs a self-issued certificate and must be allowed for the key.',
    [FIELD_METADATA]: { flag: 'aws-kms-signing-algorithm' },
  }),
  CertificatePath: textField('PEM certificate (chain) of the KMS key; empty self-issues a certificate signed by the key.', { flag: 'certificate-file' }),
  AccessKeyId: textField('Static credentials; empty uses the default AWS credential chain (environment, IRSA, EKS Pod Identity, instance role).', { flag: 'aws-access-key-id' }),
  SecretAccessKey: textField('Static credentials: the secret access key.', { flag: 'aws-secret-access-key', password: 'value' }),
  SecretAccessKeyConfigurationKey: textField('The configuration key (on the CLI: the environment variable) holding the secret access key.', {
    flag: 'aws-secret-access-key-variable',
    password: 'reference',
  }),
  Endpoint: textField('Overrides the KMS endpoint URL (a VPC endpoint, a FIPS endpoint); empty uses the regional endpoint.', { flag: 'aws-kms-endpoint' }),
  ...RemoteResilienceFields,
});

type AwsKmsConfig = Static<typeof AwsKmsSchema>;

/** A validated AwsKms block. */
export interface AwsKmsSettings {
  readonly region: string;
  readonly keyId: string;
  readonly signingAlgorithm: Pkcs1Algorithm;
  /** Absolute, or empty to self-issue. */
  readonly certificatePath: string;
  /** Empty for the default credential chain; the secret comes from the context's password. */
  readonly accessKeyId: string;
  /** Empty for the regional endpoint. */
  readonly endpoint: string;
  readonly resilience: ResilienceOptions;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const KEY_ID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[A-Za-z0-9/_-]{1,250}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/(?:mrk-)?[0-9a-f-]{32,36}|alias\/[A-Za-z0-9/_-]{1,250}))$/;

function isPkcs1(algorithm: string): algorithm is Pkcs1Algorithm {
  return Object.hasOwn(PKCS1_ALGORITHMS, algorithm);
}

function problemsOf(config: AwsKmsConfig, secret: string, modeSetting: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.Region !== '' && !REGION.test(config.Region)) problems.push({ path: 'Region', message: 'must be an AWS region such as eu-west-1' });
  if (config.KeyId !== '' && !KEY_ID.test(config.KeyId)) {
    problems.push({ path: 'KeyId', message: 'must be a key id, a key ARN, an alias name (alias/...) or an alias ARN' });
  }
  if (!isPkcs1(config.SigningAlgorithm)) {
    problems.push({
      path: 'SigningAlgorithm',
      message: `${config.SigningAlgorithm} is RSASSA-PSS, which NuGet signatures never use (the NuGet client signs and expects PKCS#1 v1.5); use RSASSA_PKCS1_V1_5_SHA_256, _384 or _512`,
    });
  }
  if (config.AccessKeyId !== '' && secret === '') {
    problems.push({ path: 'SecretAccessKey', message: `set SecretAccessKey or SecretAccessKeyConfigurationKey with AccessKeyId when ${modeSetting} is ${KIND}` });
  }
  if (config.AccessKeyId === '' && (config.SecretAccessKey !== '' || config.SecretAccessKeyConfigurationKey !== '')) {
    problems.push({ path: 'AccessKeyId', message: 'is required with a secret access key (or leave both empty for the default credential chain)' });
  }
  if (config.Endpoint !== '' && !/^https?:\/\/[^/\s]+\/?$/i.test(config.Endpoint)) {
    problems.push({ path: 'Endpoint', message: 'must be an http(s) URL without a path, such as https://kms.eu-west-1.amazonaws.com' });
  }
  return problems;
}

/** AWS KMS asymmetric keys, signing digests remotely. */
export const awsKmsProvider: OpenableSigningProvider<typeof AwsKmsSchema, AwsKmsSettings> = {
  kind: KIND,
  summary: 'an RSA key that never leaves AWS KMS; its certificate from a PEM file or self-issued by the key',
  configSchema: AwsKmsSchema,
  validate(config, context) {
    const problems = [...requiredFields(KIND, config, ['Region', 'KeyId'], context), ...problemsOf(config, context.password.value, context.modeSetting)];
    return validation(problems, () => ({
      region: config.Region,
      keyId: config.KeyId,
      signingAlgorithm: config.SigningAlgorithm as Pkcs1Algorithm,
      certificatePath: config.CertificatePath === '' ? '' : isAbsolute(config.CertificatePath) ? config.CertificatePath : resolve(context.cwd, config.CertificatePath),
      accessKeyId: config.AccessKeyId,
      endpoint: config.Endpoint.replace(/\/$/, ''),
      resilience: resilienceOptions(config),
    }));
  },
  source(settings) {
    return { field: 'KeyId', location: `${settings.keyId} in ${settings.region}` };
  },
  async open(settings, context) {
    const signal = context.signal ?? new AbortController().signal;
    const keyName = `AWS KMS key ${settings.keyId} in ${settings.region}`;
    const sdk = await loadSdk(KIND, '@aws-sdk/client-kms', () => import('@aws-sdk/client-kms'));
    // One client (and credential provider) per open key; the caller owns retries, so the SDK makes one attempt.
    const client = new sdk.KMSClient({
      region: settings.region,
      maxAttempts: 1,
      ...(settings.endpoint === '' ? {} : { endpoint: settings.endpoint }),
      ...(settings.accessKeyId === '' ? {} : { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: context.password.value } }),
    });
    const caller = new RemoteCaller({ name: keyName, classify: (error) => classifyAwsKmsError(error, keyName) }, settings.resilience);
    const operations = {
      async publicKey(requestSignal: AbortSignal): Promise<Uint8Array> {
        const answer = await client.send(new sdk.GetPublicKeyCommand({ KeyId: settings.keyId }), { abortSignal: requestSignal });
        if (answer.PublicKey === undefined) throw new ReposignError('KEY_LOAD_FAILED', `${keyName}: GetPublicKey returned no public key.`);
        if (answer.KeyUsage !== undefined && answer.KeyUsage !== 'SIGN_VERIFY') {
          throw new ReposignError('KEY_UNSUPPORTED', `${keyName} has KeyUsage ${answer.KeyUsage}; NuGet signing needs a SIGN_VERIFY key.`);
        }
        remoteRsaPublicKey(answer.PublicKey, keyName);
        if (answer.SigningAlgorithms !== undefined && !answer.SigningAlgorithms.includes(settings.signingAlgorithm)) {
          throw new ReposignError('KEY_UNSUPPORTED', `${keyName} does not allow ${settings.signingAlgorithm} (it allows ${answer.SigningAlgorithms.join(', ')}).`);
        }
        return answer.PublicKey;
      },
      async signDigest(digest: Uint8Array, hash: HashAlgorithmName, requestSignal: AbortSignal): Promise<Uint8Array> {
        const command = new sdk.SignCommand({ KeyId: settings.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: ALGORITHM_OF_HASH[hash] });
        const answer = await client.send(command, { abortSignal: requestSignal });
        if (answer.Signature === undefined) throw new ReposignError('SIGNING_FAILED', `${keyName}: Sign returned no signature.`);
        return answer.Signature;
      },
      async close(): Promise<void> {
        client.destroy();
      },
    };
    let spki: Uint8Array;
    try {
      spki = await caller.call('GetPublicKey', (requestSignal) => operations.publicKey(requestSignal), signal);
    } catch (error) {
      client.destroy();
      throw error;
    }
    return openRemoteSigningKey({
      kind: KIND,
      keyName,
      keyIdentity: `${settings.region}/${settings.keyId}`,
      operations,
      caller,
      spki,
      certificatePath: settings.certificatePath,
      certificateSetting: context.settingName('CertificatePath'),
      certificateHash: PKCS1_ALGORITHMS[settings.signingAlgorithm],
      signal,
    });
  },
};
