// SPDX-License-Identifier: MIT
// cert-manager's renewal-time rule: renew `renewBefore` before notAfter, computed from the issued
// certificate's actual lifetime (default a third of it) and truncated to whole seconds.

import type { CertificateSpec } from '../api/v1alpha1/spec.js';
import { floorToSecond, parseDuration } from './time.js';

/** How far before expiry to renew, as the spec states it (milliseconds or a percentage). */
export interface RenewalPolicy {
  readonly renewBefore?: number;
  readonly renewBeforePercentage?: number;
}

/** The renewal policy of `spec.certificate` (absent fields stay absent). */
export function renewalPolicyOf(certificate: CertificateSpec | undefined): RenewalPolicy {
  return {
    renewBefore: certificate?.renewBefore === undefined ? undefined : parseDuration(certificate.renewBefore),
    renewBeforePercentage: certificate?.renewBeforePercentage,
  };
}

/**
 * How long before notAfter a certificate of `lifetime` ms is renewed: `renewBefore` when it is
 * positive and shorter than the lifetime, else `renewBeforePercentage` of the lifetime when it is
 * in (0, 100), else a third of the lifetime. A value outside those ranges falls back, as in cert-manager.
 */
export function renewBeforeFor(lifetime: number, policy: RenewalPolicy): number {
  const { renewBefore, renewBeforePercentage } = policy;
  if (renewBefore !== undefined && renewBefore > 0 && renewBefore < lifetime) return renewBefore;
  if (renewBeforePercentage !== undefined && renewBeforePercentage > 0 && renewBeforePercentage < 100) return (lifetime * renewBeforePercentage) / 100;
  return lifetime / 3;
}

/**
 * When a certificate valid from `notBefore` to `notAfter` (ms, whole seconds as X.509 has them) is
 * due for renewal: notAfter minus {@link renewBeforeFor}, truncated to the second (status stores
 * whole seconds, and an untruncated time made cert-manager requeue early and miss renewals), never
 * before notBefore. A certificate whose notAfter is not after notBefore is due at notBefore.
 */
export function renewalTime(notBefore: number, notAfter: number, policy: RenewalPolicy): number {
  const start = Math.ceil(notBefore / 1000) * 1000;
  const lifetime = notAfter - notBefore;
  if (lifetime <= 0) return floorToSecond(notBefore);
  return Math.max(start, floorToSecond(notAfter - renewBeforeFor(lifetime, policy)));
}
