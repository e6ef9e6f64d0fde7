// SPDX-License-Identifier: MIT
// The active certificate as status mirrors it: fingerprint, validity, renewal time and revision.
// The revision counts distinct active certificates, so a new fingerprint is a new revision.

import { SHORT_FINGERPRINT_LENGTH } from '../api/v1alpha1/status.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { StatusPatch } from './decision.js';
import type { CertificateFacts, Material } from './observed.js';
import { renewalPolicyOf, renewalTime } from './renewal-time.js';
import { formatTimestamp, parseTimestamp } from './time.js';

/** The valid material of a pass, placed against the status. */
export interface ActiveCertificate {
  readonly facts: CertificateFacts;
  /** True when its fingerprint differs from `status.fingerprint`: a new revision. */
  readonly changed: boolean;
  readonly revision: number;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly renewalTime: number;
  readonly providerVersion?: string;
}

/** The active certificate, or undefined when the material is missing or invalid. */
export function activeCertificate(signer: RepositorySigner, material: Material): ActiveCertificate | undefined {
  if (material.state !== 'Valid') return undefined;
  const facts = material.certificate;
  const status = signer.status ?? {};
  const changed = facts.fingerprintSha256 !== status.fingerprint;
  const notBefore = parseTimestamp(facts.notBefore);
  const notAfter = parseTimestamp(facts.notAfter);
  return {
    facts,
    changed,
    revision: changed ? (status.revision ?? 0) + 1 : (status.revision ?? 1),
    notBefore,
    notAfter,
    renewalTime: renewalTime(notBefore, notAfter, renewalPolicyOf(signer.spec.certificate)),
    providerVersion: material.providerVersion,
  };
}

/** Whether the certificate may sign at `now`: NuGet rejects expired and not-yet-valid certificates. */
export function isUsable(active: ActiveCertificate, now: number): boolean {
  return active.notBefore <= now && now < active.notAfter;
}

/** The status fields that mirror the active certificate; a new one also clears the failure record. */
export function activeStatusPatch(active: ActiveCertificate): StatusPatch {
  const fingerprint = active.facts.fingerprintSha256;
  return {
    fingerprint,
    shortFingerprint: fingerprint.slice(0, SHORT_FINGERPRINT_LENGTH),
    subject: active.facts.subject,
    notBefore: formatTimestamp(active.notBefore),
    notAfter: formatTimestamp(active.notAfter),
    renewalTime: formatTimestamp(active.renewalTime),
    revision: active.revision,
    ...(active.providerVersion === undefined ? {} : { providerVersion: active.providerVersion }),
    ...(active.changed ? { lastFailureTime: null, failedIssuanceAttempts: null, lastFailureGeneration: null } : {}),
  };
}
