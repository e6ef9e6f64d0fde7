// SPDX-License-Identifier: MIT
// Records a failed issuance: cert-manager's lastFailureTime and failedIssuanceAttempts, Issuing
// False with reason Failed, and a Warning event. The back-off then holds the next attempt.

import { IssuingReason } from '../api/v1alpha1/conditions.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import { backoffDelay } from './backoff.js';
import { applyConditions, type ConditionUpdate } from './conditions.js';
import type { Decision, StatusPatch } from './decision.js';
import { describeDuration, formatTimestamp } from './time.js';

/** The status fields, Issuing update and retry delay of a failure. */
export interface FailureOutcome {
  readonly patch: StatusPatch;
  readonly issuing: ConditionUpdate;
  readonly retryIn: number;
}

/** The outcome of one more failed issuance of `signer`, detailed by `message`. */
export function failureOutcome(signer: RepositorySigner, message: string, now: number): FailureOutcome {
  const attempts = (signer.status?.failedIssuanceAttempts ?? 0) + 1;
  const retryIn = backoffDelay(attempts);
  return {
    patch: { lastFailureTime: formatTimestamp(now), failedIssuanceAttempts: attempts, lastFailureGeneration: signer.metadata.generation },
    issuing: {
      type: 'Issuing',
      status: 'False',
      reason: IssuingReason.Failed,
      message: `Issuance failed (attempt ${attempts}): ${message}; no new attempt for ${describeDuration(retryIn)} unless the spec changes or a rotation is requested`,
    },
    retryIn,
  };
}

/**
 * The decision to store after an IssueCertificate action failed: failure fields, Issuing=False
 * (Failed) and a Warning event; other conditions are left to the next pass. Call it instead of
 * retrying at once; the back-off decides when the next attempt starts.
 */
export function recordIssuanceFailure(signer: RepositorySigner, message: string, now: number): Decision {
  const outcome = failureOutcome(signer, message, now);
  return {
    conditions: applyConditions(signer.status?.conditions, [outcome.issuing], signer.metadata.generation, now),
    actions: [{ kind: 'EmitEvent', type: 'Warning', reason: IssuingReason.Failed, message: outcome.issuing.message }],
    requeueAfter: outcome.retryIn,
    statusPatch: outcome.patch,
  };
}
