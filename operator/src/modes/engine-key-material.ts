// SPDX-License-Identifier: MIT
// The KeyMaterialInspector on the signing engine: it opens the material as the signer-service
// will (so a key that does not match its certificate is refused here, not at signing time) and
// applies NuGet's certificate policy except for the validity period.

import { openPemKey, signingCertificateIssues } from '@reposign/signing';
import type { KeyMaterialInput, KeyMaterialInspector } from './key-material.js';

/** Problems that only concern the validity period, which the decision core judges with its clock. */
const VALIDITY_PROBLEMS = /\((NU3017|NU3037)\)/;

async function inspect(input: KeyMaterialInput): Promise<Uint8Array> {
  if (input.privateKey === undefined) throw new Error('the certificate has no private key beside it');
  const key = await openPemKey({
    certificatePem: Buffer.from(input.certificate).toString('utf8'),
    privateKeyPem: Buffer.from(input.privateKey).toString('utf8'),
    ...(input.password === undefined ? {} : { password: input.password }),
  });
  try {
    const [leaf] = key.certificateChain();
    if (leaf === undefined) throw new Error('no certificate');
    const problems = signingCertificateIssues(leaf).filter((problem) => !VALIDITY_PROBLEMS.test(problem));
    if (problems.length > 0) throw new Error(`NuGet would reject signatures made with it: ${problems.join('; ')}`);
    return leaf;
  } finally {
    await key.close();
  }
}

/** The inspector the operator runs with. */
export const engineKeyMaterialInspector: KeyMaterialInspector = { inspect };
