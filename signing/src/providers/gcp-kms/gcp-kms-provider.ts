// SPDX-License-Identifier: MIT
// GcpKms: an RSA key version in Google Cloud KMS with its certificate in a PEM file. This version
// knows the block and checks it; the backend that signs through Cloud KMS comes with issue 10.

import { Type } from 'typebox';

import { textField } from '../provider-fields.js';
import { schemaOnlyProvider } from '../schema-only-provider.js';

/** The `Signing:GcpKms` block, with the reference product's names. */
export const GcpKmsSchema = Type.Object({
  ProjectId: textField('The Google Cloud project.'),
  Location: textField('The key ring location, e.g. europe-west1.'),
  KeyRing: textField('The key ring.'),
  KeyName: textField('The crypto key.'),
  KeyVersion: textField('The crypto key version; empty uses the primary one.'),
  ProtectionLevel: Type.Enum(['Software', 'Hsm'], { default: 'Hsm', description: 'The protection level of the key.' }),
  CertificatePath: textField('PEM certificate (chain) of the key.'),
  ServiceAccountKeyPath: textField('A service account key file; empty uses application default credentials.'),
  ServiceAccountKeyPathConfigurationKey: textField('The configuration key holding the service account key path.'),
});

/** Google Cloud KMS keys: configuration only in this version. */
export const gcpKmsProvider = schemaOnlyProvider({
  kind: 'GcpKms',
  summary: 'an RSA key version that stays in Google Cloud KMS, with its certificate in a PEM file',
  configSchema: GcpKmsSchema,
  unavailable: 'the Google Cloud KMS backend is not implemented yet',
  required: ['ProjectId', 'Location', 'KeyRing', 'KeyName'],
  source: (config) => ({ field: 'KeyName', location: `projects/${config.ProjectId}/locations/${config.Location}/keyRings/${config.KeyRing}/cryptoKeys/${config.KeyName}` }),
});
