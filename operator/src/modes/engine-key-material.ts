// SPDX-License-Identifier: MIT
// The KeyMaterialInspector on the signing engine: the StoredCertificate backend opens the bytes as
// the signer-service will (PFX or PEM, told apart by the engine; a key that does not match its
// certificate is refused here, not at signing time), then NuGet's certificate policy applies,
// except for the validity period, which the decision core judges with its own clock.

import { openStoredCertificateContent, signingCertificateIssues } from '@reposign/signing';
import type { KeyMaterialInput, KeyMaterialInspector } from './key-material.js';

/** Problems that only concern the validity period. */
const VALIDITY_PROBLEMS = /\((NU3017|NU3037)\)/;

/** What NuGet's certificate policy finds wrong with `chain` (leaf first), apart from the validity period. */
export function policyProblems(chain: readonly Uint8Array[]): string[] {
  return signingCertificateIssues(chain).filter((problem) => !VALIDITY_PROBLEMS.test(problem));
}

async function inspect(input: KeyMaterialInput): Promise<Uint8Array> {
  const key = await openStoredCertificateContent({ certificate: input.certificate, privateKey: input.privateKey, password: input.password ?? '', keySetting: 'keyFileSecretRef' });
  try {
    const chain = key.certificateChain();
    const [leaf] = chain;
    if (leaf === undefined) throw new Error('no certificate');
    const problems = policyProblems(chain);
    if (problems.length > 0) throw new Error(`NuGet would reject signatures made with it: ${problems.join('; ')}`);
    return leaf;
  } finally {
    await key.close();
  }
}

/** The inspector the operator runs with. */
export const engineKeyMaterialInspector: KeyMaterialInspector = { inspect };
