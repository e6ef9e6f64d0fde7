// SPDX-License-Identifier: MIT
// The Ready summary: the first problem in a fixed order (provider, material, validity, expiry
// warning, publishing, signer-service), else True with what is active and until when.

import { ReadyReason } from '../api/v1alpha1/conditions.js';
import type { ActiveCertificate } from './active-certificate.js';
import type { ConditionUpdate } from './conditions.js';
import type { Material, ProviderVerdict } from './observed.js';
import { formatTimestamp } from './time.js';

/** What Ready is computed from. */
export interface ReadinessInput {
  readonly provider: ProviderVerdict;
  readonly material: Material;
  readonly active?: ActiveCertificate;
  /** Issuing is True after this pass. */
  readonly issuing: boolean;
  /** StoredCertificate: the renewal time only warns (Expiring), nothing renews. */
  readonly userManaged: boolean;
  readonly published: boolean;
  readonly synced: boolean;
  readonly now: number;
}

const notReady = (reason: string, message: string): ConditionUpdate => ({ type: 'Ready', status: 'False', reason, message });

function materialProblem({ material, issuing }: ReadinessInput): ConditionUpdate {
  if (issuing) return notReady(ReadyReason.Issuing, 'The first certificate is being issued');
  if (material.state === 'Missing') return notReady(ReadyReason.MaterialMissing, `No certificate: ${material.detail}`);
  return notReady(ReadyReason.InvalidCertificate, `The certificate is not usable: ${material.state === 'Invalid' ? material.detail : 'unknown'}`);
}

/** The Ready condition of a pass. */
export function readyCondition(input: ReadinessInput): ConditionUpdate {
  const { provider, active, now } = input;
  if (!provider.ready) return notReady(ReadyReason.ProviderNotReady, provider.message);
  if (!active) return materialProblem(input);
  const short = active.facts.fingerprintSha256.slice(0, 12);
  const until = formatTimestamp(active.notAfter);
  if (now >= active.notAfter) return notReady(ReadyReason.Expired, `Certificate ${short} expired at ${until}`);
  if (now < active.notBefore) return notReady(ReadyReason.InvalidCertificate, `Certificate ${short} is not valid before ${formatTimestamp(active.notBefore)}`);
  if (input.userManaged && now >= active.renewalTime) return notReady(ReadyReason.Expiring, `Certificate ${short} expires at ${until}: replace the certificate in its Secret`);
  if (!input.published) return notReady(ReadyReason.NotPublished, `Certificate ${short} is not published yet`);
  if (!input.synced) return notReady(ReadyReason.SignerServiceNotSynced, `The signer-service configuration does not carry certificate ${short} yet`);
  return { type: 'Ready', status: 'True', reason: ReadyReason.Ready, message: `Certificate ${short} (revision ${active.revision}) valid until ${until}; published; signer-service configured` };
}
