// SPDX-License-Identifier: MIT
// The resilience settings every remote-key backend's block carries (timeouts, retries, circuit
// breaker), as schema properties to spread into its TypeBox object, and their reader.

import { Type, type Static } from 'typebox';

import type { ResilienceOptions } from './resilience.js';

/** Spread into a backend's `Type.Object({...})`: the fields {@link resilienceOptions} reads. */
export const RemoteResilienceFields = {
  TimeoutMilliseconds: Type.Integer({ minimum: 100, maximum: 300_000, default: 10_000, description: 'How long one request to the key service may take before it counts as failed.' }),
  MaxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'Attempts per signature when the key service throttles or fails (5xx, unreachable), with exponential back-off.' }),
  CircuitBreakerFailures: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'Consecutive failed signatures after which signing fails fast (503) without calling the key service.' }),
  CircuitBreakerOpenSeconds: Type.Integer({ minimum: 0, maximum: 3600, default: 30, description: 'How long signing fails fast before one request probes the key service again.' }),
};

/** The resilience part of a block that spread {@link RemoteResilienceFields}. */
type ResilienceConfig = Static<ReturnType<typeof Type.Object<typeof RemoteResilienceFields>>>;

/** The {@link ResilienceOptions} of a block that spread {@link RemoteResilienceFields}. */
export function resilienceOptions(config: ResilienceConfig): ResilienceOptions {
  return {
    attemptTimeoutMs: config.TimeoutMilliseconds,
    maxAttempts: config.MaxAttempts,
    failureThreshold: config.CircuitBreakerFailures,
    openMs: config.CircuitBreakerOpenSeconds * 1000,
  };
}
