// SPDX-License-Identifier: MIT
// GcpHsm: Google's Cloud HSM keys are Cloud KMS keys with protection level HSM, so this mode is
// GcpKms with HSM required. It accepts the reference product's field names; its ClusterName (an
// AWS CloudHSM notion with no meaning in Cloud KMS) stands for the key ring that holds the key.

import { Type } from 'typebox';

import { GcpKmsSchema, gcpKmsSource, openGcpKms, validateGcpKms, type GcpKmsSettings } from '../gcp-kms/gcp-kms-provider.js';
import { textField } from '../provider-fields.js';
import type { OpenableSigningProvider } from '../signing-provider.js';

const KIND = 'GcpHsm';

/** The GcpKms fields GcpHsm takes as they are: all but ProtectionLevel (always HSM) and KeyRing (redescribed below). */
const hsmFields = Object.fromEntries(Object.entries(GcpKmsSchema.properties).filter(([field]) => field !== 'ProtectionLevel' && field !== 'KeyRing')) as Omit<
  typeof GcpKmsSchema.properties,
  'ProtectionLevel' | 'KeyRing'
>;

/** The `Signing:GcpHsm` block: the reference product's names, and the GcpKms fields but ProtectionLevel (always HSM). */
export const GcpHsmSchema = Type.Object({
  ...hsmFields,
  ClusterName: textField('The key ring of the HSM key (the reference product calls it the cluster).', { flag: 'gcp-hsm-cluster' }),
  KeyRing: textField('The key ring; an alias of ClusterName.', { flag: 'gcp-key-ring' }),
});

/** Cloud HSM keys: GcpKms with protection level HSM required. */
export const gcpHsmProvider: OpenableSigningProvider<typeof GcpHsmSchema, GcpKmsSettings> = {
  kind: KIND,
  summary: 'an RSA key in Google Cloud HSM (a Cloud KMS key with protection level HSM)',
  configSchema: GcpHsmSchema,
  validate(config, context) {
    const { ClusterName, KeyRing, ...rest } = config;
    if (ClusterName !== '' && KeyRing !== '' && ClusterName !== KeyRing) {
      return { ok: false, problems: [{ path: 'ClusterName', message: `names key ring '${ClusterName}' but KeyRing names '${KeyRing}'; set one of them` }] };
    }
    const validated = validateGcpKms(KIND, { ...rest, KeyRing: KeyRing === '' ? ClusterName : KeyRing, ProtectionLevel: 'Hsm' }, context);
    return validated.ok ? validated : { ok: false, problems: validated.problems.map((problem) => (problem.path === 'KeyRing' ? { ...problem, path: 'ClusterName' } : problem)) };
  },
  source: gcpKmsSource,
  open: (settings, context) => openGcpKms(KIND, settings, context),
};
