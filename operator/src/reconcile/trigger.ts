// SPDX-License-Identifier: MIT
// When to issue: cert-manager's ordered trigger policies (first hit wins), the Issuing gate that
// lets no trigger fire while an issuance runs, and the failure back-off in front of them.

import { IssuingReason } from '../api/v1alpha1/conditions.js';
import { backoffRemaining, type BackoffInput } from './backoff.js';
import type { Material, SubjectAttributes } from './observed.js';
import { formatTimestamp } from './time.js';

/** What the spec asks of a certificate the operator makes itself (SelfSigned). */
export interface ExpectedCertificate {
  readonly subject?: SubjectAttributes;
  readonly keyAlgorithm: string;
  readonly keySize: number;
  readonly signatureAlgorithm: string;
}

/** What the trigger policies look at. */
export interface TriggerInput {
  readonly material: Material;
  /** Set only where the operator makes the certificate; other modes skip the spec comparison. */
  readonly expected?: ExpectedCertificate;
  /** The provider's current version (cloud and PKCS#11 modes). */
  readonly providerVersion?: string;
  /** A rotate annotation value not yet handled. */
  readonly rotationRequest?: string;
  /** When the active certificate is due for renewal (ms). */
  readonly renewalTime?: number;
  readonly now: number;
}

/** Why an issuance must start: an Issuing reason and a message for the condition and the event. */
export interface Trigger {
  readonly reason: (typeof IssuingReason)[keyof typeof IssuingReason];
  readonly message: string;
}

/** One policy: a hit, or undefined to let the next policy look. */
export type TriggerPolicy = (input: TriggerInput) => Trigger | undefined;

const sorted = (values: readonly string[] | undefined): string => [...(values ?? [])].sort().join('\u0000');

const SUBJECT_FIELDS = ['organizations', 'organizationalUnits', 'countries', 'localities', 'provinces'] as const;

/** The first difference between the spec's subject and the certificate's, or undefined. */
function subjectDifference(expected: SubjectAttributes, actual: SubjectAttributes): string | undefined {
  if ((expected.commonName ?? '') !== (actual.commonName ?? '')) return `commonName '${actual.commonName ?? ''}' differs from the requested '${expected.commonName ?? ''}'`;
  const field = SUBJECT_FIELDS.find((f) => sorted(expected[f]) !== sorted(actual[f]));
  return field && `subject ${field} differ from the requested ones`;
}

/** The first difference between what the spec asks and the certificate, or undefined. */
export function specDifference(expected: ExpectedCertificate, material: Material): string | undefined {
  if (material.state !== 'Valid') return undefined;
  const actual = material.certificate;
  if (actual.keyAlgorithm !== expected.keyAlgorithm) return `key algorithm ${actual.keyAlgorithm} differs from the requested ${expected.keyAlgorithm}`;
  if (actual.keySize !== expected.keySize) return `key size ${actual.keySize} differs from the requested ${expected.keySize}`;
  if (actual.signatureAlgorithm !== expected.signatureAlgorithm) return `signature algorithm ${actual.signatureAlgorithm} differs from the requested ${expected.signatureAlgorithm}`;
  return expected.subject && subjectDifference(expected.subject, actual.subjectAttributes);
}

const materialMissing: TriggerPolicy = ({ material }) =>
  material.state === 'Missing' ? { reason: IssuingReason.MaterialMissing, message: `No certificate yet: ${material.detail}` } : undefined;

const materialInvalid: TriggerPolicy = ({ material }) =>
  material.state === 'Invalid' ? { reason: IssuingReason.InvalidCertificate, message: `The certificate is not usable: ${material.detail}` } : undefined;

const specMismatch: TriggerPolicy = ({ expected, material }) => {
  const difference = expected && specDifference(expected, material);
  return difference ? { reason: IssuingReason.SpecMismatch, message: `The certificate does not match the spec: ${difference}` } : undefined;
};

const providerVersionChanged: TriggerPolicy = ({ material, providerVersion }) =>
  material.state === 'Valid' && providerVersion !== undefined && material.providerVersion !== undefined && material.providerVersion !== providerVersion
    ? { reason: IssuingReason.ProviderVersionChanged, message: `The provider's current version ${providerVersion} replaces ${material.providerVersion}` }
    : undefined;

const rotationRequested: TriggerPolicy = ({ rotationRequest }) =>
  rotationRequest === undefined ? undefined : { reason: IssuingReason.RotationRequested, message: `Rotation requested (${rotationRequest})` };

const renewalDue: TriggerPolicy = ({ renewalTime, now }) =>
  renewalTime !== undefined && now >= renewalTime ? { reason: IssuingReason.Renewing, message: `Renewing: the renewal time ${formatTimestamp(renewalTime)} has passed` } : undefined;

/** The policies in the order they are asked: missing, invalid, spec mismatch, provider version, rotate request, renewal time. */
export const TRIGGER_POLICIES: readonly TriggerPolicy[] = [materialMissing, materialInvalid, specMismatch, providerVersionChanged, rotationRequested, renewalDue];

/** The first policy that hits, or undefined when the certificate needs nothing. */
export function evaluateTriggers(input: TriggerInput, policies: readonly TriggerPolicy[] = TRIGGER_POLICIES): Trigger | undefined {
  for (const policy of policies) {
    const hit = policy(input);
    if (hit) return hit;
  }
  return undefined;
}

/** What the trigger step concludes. */
export type IssuanceStep =
  | { readonly kind: 'InProgress' }
  | { readonly kind: 'UpToDate' }
  | { readonly kind: 'BackingOff'; readonly trigger: Trigger; readonly remaining: number }
  | { readonly kind: 'Start'; readonly trigger: Trigger };

/**
 * The trigger step: nothing fires while `issuing` (Issuing=True), so an issuance can never be
 * re-triggered by its own intermediate state; otherwise the first policy hit starts an issuance
 * unless the failure back-off still runs.
 */
export function nextIssuanceStep(issuing: boolean, input: TriggerInput, backoff: BackoffInput): IssuanceStep {
  if (issuing) return { kind: 'InProgress' };
  const trigger = evaluateTriggers(input);
  if (!trigger) return { kind: 'UpToDate' };
  const remaining = backoffRemaining(backoff, input.now);
  return remaining > 0 ? { kind: 'BackingOff', trigger, remaining } : { kind: 'Start', trigger };
}
