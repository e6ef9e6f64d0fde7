// SPDX-License-Identifier: MIT
// AwsKms: an RSA key in AWS KMS with its certificate in a PEM file. This version knows the block
// and checks it; the backend that signs through KMS comes with issue 10.

import { Type } from 'typebox';

import { textField } from '../provider-fields.js';
import { schemaOnlyProvider } from '../schema-only-provider.js';

/** The `Signing:AwsKms` block, with the reference product's names. */
export const AwsKmsSchema = Type.Object({
  Region: textField('The AWS region of the key.'),
  KeyId: textField('Key id, key ARN, alias name or alias ARN.'),
  SigningAlgorithm: Type.Enum(['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256'], {
    default: 'RSASSA_PKCS1_V1_5_SHA_256',
    description: 'The KMS signing algorithm.',
  }),
  CertificatePath: textField('PEM certificate (chain) of the KMS key.'),
  AccessKeyId: textField('Static credentials; empty uses the default AWS credential chain.'),
  SecretAccessKey: textField('Static credentials: the secret key.'),
  SecretAccessKeyConfigurationKey: textField('The configuration key holding the secret key.'),
});

/** AWS KMS keys: configuration only in this version. */
export const awsKmsProvider = schemaOnlyProvider({
  kind: 'AwsKms',
  summary: 'an RSA key that stays in AWS KMS, with its certificate in a PEM file',
  configSchema: AwsKmsSchema,
  unavailable: 'the AWS KMS backend is not implemented yet',
  required: ['Region', 'KeyId'],
  source: (config) => ({ field: 'KeyId', location: `${config.KeyId} in ${config.Region}` }),
});
