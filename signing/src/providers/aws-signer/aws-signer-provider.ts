// SPDX-License-Identifier: MIT
// AwsSigner: accepted for compatibility with the reference product's configuration and always
// refused: AWS Signer signs Notation payloads and whole artifacts, never the raw RSA PKCS#1 v1.5
// signature over CMS signed attributes that NuGet requires. AWS's API reference for SignPayload
// (https://docs.aws.amazon.com/signer/latest/api/API_SignPayload.html) says "Signs a binary payload
// and returns a signature envelope" and "The single valid type is
// application/vnd.cncf.notary.payload.v1+json"; StartSigningJob signs whole artifacts for the
// Lambda, IoT and FreeRTOS platforms (ECDSA, or SHA-1 RSA). Use AwsKms instead.

import { Type } from 'typebox';

import { textField } from '../provider-fields.js';
import { schemaOnlyProvider } from '../schema-only-provider.js';

/** The `Signing:AwsSigner` block, with the reference product's names. */
export const AwsSignerSchema = Type.Object({
  Region: textField('The AWS region of the signing profile.'),
  ProfileName: textField('The AWS Signer signing profile.'),
  AccessKeyId: textField('Static credentials; empty uses the default AWS credential chain.'),
  SecretAccessKey: textField('Static credentials: the secret key.'),
  SecretAccessKeyConfigurationKey: textField('The configuration key holding the secret key.'),
});

/** AWS Signer: never usable for NuGet; configuration is checked so the refusal names the real reason. */
export const awsSignerProvider = schemaOnlyProvider({
  kind: 'AwsSigner',
  summary: 'AWS Signer (refused: it cannot produce NuGet signatures; use AwsKms)',
  configSchema: AwsSignerSchema,
  unavailable: 'AWS Signer cannot produce the RSA PKCS#1 v1.5 signature NuGet requires; use AwsKms',
  required: ['Region', 'ProfileName'],
  source: (config) => ({ field: 'ProfileName', location: `${config.ProfileName} in ${config.Region}` }),
});
