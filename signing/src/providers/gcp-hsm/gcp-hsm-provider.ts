// SPDX-License-Identifier: MIT
// GcpHsm: a key in a Google Cloud HSM cluster. This version knows the block and checks it; the
// backend comes with issue 10.

import { Type } from 'typebox';

import { textField } from '../provider-fields.js';
import { schemaOnlyProvider } from '../schema-only-provider.js';

/** The `Signing:GcpHsm` block, with the reference product's names. */
export const GcpHsmSchema = Type.Object({
  ProjectId: textField('The Google Cloud project.'),
  Location: textField('The cluster location.'),
  ClusterName: textField('The HSM cluster.'),
  ServiceAccountKeyPath: textField('A service account key file; empty uses application default credentials.'),
  ServiceAccountKeyPathConfigurationKey: textField('The configuration key holding the service account key path.'),
});

/** Google Cloud HSM keys: configuration only in this version. */
export const gcpHsmProvider = schemaOnlyProvider({
  kind: 'GcpHsm',
  summary: 'a key in a Google Cloud HSM cluster',
  configSchema: GcpHsmSchema,
  unavailable: 'the Google Cloud HSM backend is not implemented yet',
  required: ['ProjectId', 'Location', 'ClusterName'],
  source: (config) => ({ field: 'ClusterName', location: `${config.ClusterName} in ${config.ProjectId}/${config.Location}` }),
});
