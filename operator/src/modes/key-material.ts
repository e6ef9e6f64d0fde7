// SPDX-License-Identifier: MIT
// Key material as the operator judges it: the signing engine opens certificate and key (PFX or
// PEM, checking they belong together and that NuGet's certificate policy accepts them), and the
// facts the decision core compares with the spec come from the engine's certificate description.

import { describeCertificate } from '@reposign/signing';
import { certificateRecord } from '../certificate-record.js';
import type { CertificateFacts } from '../reconcile/observed.js';

/** A certificate file (PFX, or PEM with or without the key) and optionally a separate key and a password. */
export interface KeyMaterialInput {
  readonly certificate: Uint8Array;
  readonly privateKey?: Uint8Array;
  readonly password?: string;
}

/**
 * Opens key material through the signing engine and returns the signing certificate's DER. Throws
 * (with a message fit for a condition) when it cannot sign: unreadable, wrong password, key and
 * certificate apart, or a certificate NuGet rejects for reasons other than its validity period,
 * which the decision core judges with its own clock.
 */
export interface KeyMaterialInspector {
  inspect(input: KeyMaterialInput): Promise<Uint8Array>;
}

const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'SHA256WithRSA',
  '1.2.840.113549.1.1.12': 'SHA384WithRSA',
  '1.2.840.113549.1.1.13': 'SHA512WithRSA',
};

/** The facts of a DER certificate in the decision core's terms. */
export function certificateFacts(der: Uint8Array): CertificateFacts {
  const info = describeCertificate(der);
  const names = info.subjectAttributes;
  return {
    ...certificateRecord(der),
    subjectAttributes: {
      commonName: names['CN']?.[0],
      organizations: names['O'],
      organizationalUnits: names['OU'],
      countries: names['C'],
      localities: names['L'],
      provinces: names['ST'],
    },
    keyAlgorithm: info.keyType.toUpperCase(),
    keySize: info.keyBits,
    signatureAlgorithm: SIGNATURE_ALGORITHMS[info.signatureAlgorithmOid] ?? info.signatureAlgorithmOid,
  };
}
