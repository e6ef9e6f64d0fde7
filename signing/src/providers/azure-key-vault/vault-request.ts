// SPDX-License-Identifier: MIT
// One Key Vault request through the key's RemoteCaller: the caller owns the timeout, the retries and
// the circuit breaker (the Azure SDK's own retries are turned off), and a final refusal leaves the
// attempt already judged, with the action it interrupted in its message.

import { ReposignError } from '../../errors.js';
import { RemoteCaller, type ResilienceOptions } from '../remote/resilience.js';
import { classifyAzureFailure, isAbort } from './azure-errors.js';

/** The RemoteCaller of one opened Key Vault certificate, named `described` in messages. */
export function vaultCaller(described: string, resilience: ResilienceOptions): RemoteCaller {
  return new RemoteCaller({ name: described, classify: (error) => classifyAzureFailure(error, 'a request') }, resilience);
}

/**
 * Runs `run` (one SDK call, handed each attempt's signal) through `caller`; `what` names the
 * operation for the caller (`Sign`), `action` names it in final errors (`signing with key ...`).
 */
export function vaultRequest<T>(caller: RemoteCaller, what: string, action: string, run: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
  return caller.call(
    what,
    async (attemptSignal) => {
      try {
        return await run(attemptSignal);
      } catch (error) {
        if (isAbort(error)) throw error;
        const failure = classifyAzureFailure(error, action);
        throw failure instanceof ReposignError ? failure : error;
      }
    },
    signal,
  );
}
