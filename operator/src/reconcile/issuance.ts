// SPDX-License-Identifier: MIT
// The Issuing part of a pass: finish an issuance whose certificate has appeared, start one when a
// trigger fires and no back-off holds it, or ask for the work while Issuing is True.

import { IssuingReason } from '../api/v1alpha1/conditions.js';
import { ROTATE_ANNOTATION } from '../api/v1alpha1/names.js';
import type { Action } from './actions.js';
import type { ActiveCertificate } from './active-certificate.js';
import { certificateRequest, expectedCertificate, needsNewPrivateKey } from './certificate-request.js';
import { findCondition, type ConditionUpdate } from './conditions.js';
import type { StatusPatch } from './decision.js';
import { failureOutcome } from './issuance-failure.js';
import type { Observed } from './observed.js';
import { evaluateTriggers, nextIssuanceStep, type TriggerInput } from './trigger.js';
import { describeDuration, formatTimestamp } from './time.js';

/** The Issuing condition, actions, status fields and wake-up time of a pass. */
export interface IssuancePart {
  readonly issuing: ConditionUpdate;
  readonly actions: Action[];
  readonly patch: StatusPatch;
  readonly wakeAt?: number;
}

/** The rotate annotation's value when it differs from the last one handled. */
export function pendingRotationRequest(observed: Observed): string | undefined {
  const requested = observed.signer.metadata.annotations?.[ROTATE_ANNOTATION];
  return requested && requested !== observed.signer.status?.lastHandledRotationRequest ? requested : undefined;
}

const issuingUpdate = (status: 'True' | 'False', reason: string, message: string): ConditionUpdate => ({ type: 'Issuing', status, reason, message });

/** StoredCertificate: the user rotates by replacing the Secret; a rotate request is acknowledged and explained. */
export function userManagedIssuance(observed: Observed): IssuancePart {
  const issuing = issuingUpdate('False', IssuingReason.UserManaged, "Certificates come from the user's Secret; replace it there to rotate");
  const request = pendingRotationRequest(observed);
  if (request === undefined) return { issuing, actions: [], patch: {} };
  return {
    issuing,
    actions: [{ kind: 'EmitEvent', type: 'Normal', reason: 'RotationRequestIgnored', message: `Rotation request ${request} ignored: ${issuing.message}` }],
    patch: { lastHandledRotationRequest: request },
  };
}

function completed(observed: Observed, active: ActiveCertificate, input: TriggerInput, now: number): IssuancePart {
  // A certificate that is itself due again would restart issuance at once (cert-manager #8380):
  // count it as a failure so the back-off applies.
  const stillDue = evaluateTriggers({ ...input, rotationRequest: undefined });
  if (stillDue) {
    const failure = failureOutcome(observed.signer, `the issued certificate ${active.facts.fingerprintSha256.slice(0, 12)} is not acceptable: ${stillDue.message}`, now);
    return { issuing: failure.issuing, actions: [], patch: failure.patch, wakeAt: now + failure.retryIn };
  }
  const message = `Revision ${active.revision} issued: certificate ${active.facts.fingerprintSha256.slice(0, 12)} valid until ${formatTimestamp(active.notAfter)}`;
  return { issuing: issuingUpdate('False', IssuingReason.Issued, message), actions: [], patch: {} };
}

/**
 * Issuing when nothing is due. A failure stays until a certificate arrives (which clears the
 * failure fields) or the next issuance starts: the pass after it must not hide it behind "is current".
 */
function upToDate(current: ConditionUpdate | undefined, failureRecorded: boolean, active: ActiveCertificate | undefined): ConditionUpdate {
  if (current?.reason === IssuingReason.Failed && failureRecorded) return current;
  return issuingUpdate('False', IssuingReason.Issued, active ? `Revision ${active.revision} is current` : 'Nothing to issue');
}

/** Every mode but StoredCertificate: the trigger step with the Issuing gate and the back-off. */
export function operatorIssuance(observed: Observed, active: ActiveCertificate | undefined, now: number): IssuancePart {
  const { signer, material, provider } = observed;
  const status = signer.status ?? {};
  const current = findCondition(status.conditions, 'Issuing');
  const issuing = current?.status === 'True';
  const rotationRequest = pendingRotationRequest(observed);
  const input: TriggerInput = {
    material,
    expected: signer.spec.mode === 'SelfSigned' ? expectedCertificate(signer.spec) : undefined,
    providerVersion: provider.currentVersion,
    rotationRequest,
    renewalTime: active?.renewalTime,
    now,
  };
  if (issuing && active?.changed) return completed(observed, active, input, now);
  if (!provider.ready) {
    return { issuing: current && issuing ? current : issuingUpdate('False', IssuingReason.WaitingForProvider, 'No issuance while the provider is not ready'), actions: [], patch: {} };
  }
  const step = nextIssuanceStep(issuing, input, {
    lastFailureTime: status.lastFailureTime,
    failedIssuanceAttempts: status.failedIssuanceAttempts,
    lastFailureGeneration: status.lastFailureGeneration,
    generation: signer.metadata.generation,
    rotationRequested: rotationRequest !== undefined,
  });
  switch (step.kind) {
    case 'InProgress': {
      const reason = current?.reason ?? IssuingReason.Renewing;
      const action: Action = {
        kind: 'IssueCertificate',
        mode: signer.spec.mode,
        reason,
        revision: (status.revision ?? 0) + 1,
        newPrivateKey: needsNewPrivateKey(signer.spec, material),
        secretName: signer.spec.secretName,
        request: certificateRequest(signer.spec),
      };
      return { issuing: issuingUpdate('True', reason, current?.message ?? ''), actions: [action], patch: {} };
    }
    case 'Start':
      return { issuing: issuingUpdate('True', step.trigger.reason, step.trigger.message), actions: [], patch: rotationRequest === undefined ? {} : { lastHandledRotationRequest: rotationRequest } };
    case 'BackingOff': {
      const attempts = status.failedIssuanceAttempts ?? 0;
      const message = `${step.trigger.message}; waiting ${describeDuration(step.remaining)} after ${attempts} failed attempt(s)`;
      return { issuing: issuingUpdate('False', IssuingReason.BackingOff, message), actions: [], patch: {}, wakeAt: now + step.remaining };
    }
    case 'UpToDate':
      return { issuing: upToDate(current, status.lastFailureTime !== undefined, active), actions: [], patch: {} };
  }
}
