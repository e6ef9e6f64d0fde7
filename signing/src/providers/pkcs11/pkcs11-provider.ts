// SPDX-License-Identifier: MIT
// Pkcs11: a key on a PKCS#11 token (an HSM, SoftHSM2) with its certificate in a PEM file. This
// version knows the block and checks it; the backend comes with issue 10.

import { Type } from 'typebox';

import { textField } from '../provider-fields.js';
import { schemaOnlyProvider } from '../schema-only-provider.js';

/** The `Signing:Pkcs11` block, with the reference product's names. */
export const Pkcs11Schema = Type.Object({
  ModulePath: textField("The PKCS#11 module (.so), e.g. SoftHSM2's libsofthsm2.so."),
  TokenLabel: textField('The token, by label.'),
  SlotId: textField('The token, by slot id.'),
  KeyLabel: textField('The private key, by label (CKA_LABEL).'),
  KeyId: textField('The private key, by id (CKA_ID, hex).'),
  Pin: textField('The user PIN.'),
  PinConfigurationKey: textField('The configuration key holding the PIN.'),
  CertificatePath: textField("PEM certificate (chain) of the token's key."),
});

/** PKCS#11 keys: configuration only in this version. */
export const pkcs11Provider = schemaOnlyProvider({
  kind: 'Pkcs11',
  summary: 'a key on a PKCS#11 token (HSM), with its certificate in a PEM file',
  configSchema: Pkcs11Schema,
  unavailable: 'the PKCS#11 backend is not implemented yet',
  required: ['ModulePath', 'CertificatePath'],
  oneOf: [
    ['TokenLabel', 'SlotId'],
    ['KeyLabel', 'KeyId'],
  ],
  source: (config) => ({ field: 'KeyLabel', location: `${config.KeyLabel || config.KeyId} on ${config.TokenLabel || config.SlotId}` }),
});
