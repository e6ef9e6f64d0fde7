// SPDX-License-Identifier: MIT
// What a failed signing means for a package on its way to clients (push or first download): the
// configured failure policy, applied in one place.

import { isReposignError } from '@reposign/signing';
import type { SigningConfig } from '../config/config.js';
import { FeedError, isClientFault } from '../errors.js';

/** The package whose signing failed, and what was not done to it. */
export interface FailedSigning {
  readonly id: string;
  readonly version: string;
  readonly action: 'published' | 'served';
}

/**
 * Applies the failure policy to `error`, thrown while signing. Rethrows the client's fault (by the
 * error catalogue) and every failure outside the engine (storage, database) as they are. Returns
 * when the policy lets the package go out unsigned: only SelfSigned mode configured with
 * AllowUnsignedOnFailure. Otherwise throws FEED_SIGNING_UNAVAILABLE (503): nothing unsigned leaves.
 */
export function applySigningFailurePolicy(signing: SigningConfig, failed: FailedSigning, error: unknown): void {
  if (!isReposignError(error) || isClientFault(error)) throw error;
  if (signing.mode === 'SelfSigned' && signing.allowUnsignedOnFailure) return;
  const reason = error.message.replace(/\.$/, '');
  throw new FeedError(
    'FEED_SIGNING_UNAVAILABLE',
    `Package ${failed.id} ${failed.version} was not ${failed.action}: this feed could not repository-sign it (${reason}). It does not publish or serve unsigned packages in this signing mode. Try again later.`,
    { cause: error },
  );
}
