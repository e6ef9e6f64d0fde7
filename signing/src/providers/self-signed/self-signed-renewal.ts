// SPDX-License-Identifier: MIT
// When a persisted self-signed certificate must be replaced: its settings changed, or it entered
// the renewal window.

import type { CertificateInfo } from '../../certificates/certificate.js';
import type { HashAlgorithmName } from '../../hash-algorithm.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const CERTIFICATE_SIGNATURE_OID: Readonly<Record<HashAlgorithmName, string>> = {
  SHA256: '1.2.840.113549.1.1.11',
  SHA384: '1.2.840.113549.1.1.12',
  SHA512: '1.2.840.113549.1.1.13',
};

/** A validated SelfSigned block. `certificatePath` is absolute. */
export interface SelfSignedSettings {
  /** The distinguished name, built from Organization, OrganizationalUnit and Country when SubjectName is empty. */
  readonly subjectName: string;
  readonly keySize: 2048 | 3072 | 4096;
  readonly validityInDays: number;
  readonly hashAlgorithm: HashAlgorithmName;
  /** Absolute path of the persisted PFX. */
  readonly certificatePath: string;
  readonly renewBeforeDays: number;
}

const comparableName = (name: string): string => name.replace(/\s*,\s*/g, ',').toLowerCase();

/** Why `certificate` no longer fits `settings` at `now`; undefined when it can stay in use. */
export function selfSignedMismatch(certificate: CertificateInfo, settings: SelfSignedSettings, now: Date): string | undefined {
  if (comparableName(certificate.subject) !== comparableName(settings.subjectName)) return `the subject changed to '${settings.subjectName}'`;
  if (certificate.keyType !== 'rsa' || certificate.keyBits !== settings.keySize) return `the key size changed to ${settings.keySize}`;
  if (certificate.signatureAlgorithmOid !== CERTIFICATE_SIGNATURE_OID[settings.hashAlgorithm]) return `the hash algorithm changed to ${settings.hashAlgorithm}`;
  const validityDays = Math.round((certificate.notAfter.getTime() - certificate.notBefore.getTime()) / DAY_MS);
  if (validityDays !== settings.validityInDays) return `the validity changed to ${settings.validityInDays} days`;
  if (certificate.notAfter.getTime() - now.getTime() < settings.renewBeforeDays * DAY_MS) {
    return `it expires on ${certificate.notAfter.toISOString()}, within the renewal window of ${settings.renewBeforeDays} days`;
  }
  return undefined;
}
