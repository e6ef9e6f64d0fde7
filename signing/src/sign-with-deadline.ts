// SPDX-License-Identifier: MIT
// The one place the engine has a key sign: bounded by a timeout and by the caller's AbortSignal,
// whatever the backend, so a KMS that stops answering fails the signing instead of hanging it.

import { ReposignError } from './errors.js';
import type { HashAlgorithmName } from './hash-algorithm.js';
import type { SignInput, SigningKey } from './signing-key.js';

/** How long one signature may take unless the caller says otherwise: generous for a remote key. */
export const DEFAULT_SIGN_TIMEOUT_MS = 30_000;

/** Bounds of one signing call. */
export interface SignDeadline {
  /** Milliseconds before the key's signature is given up with SIGNING_TIMEOUT; default {@link DEFAULT_SIGN_TIMEOUT_MS}. */
  readonly timeoutMs?: number | undefined;
  /** Cancels the signing (shutdown, a client that went away): SIGNING_ABORTED. */
  readonly signal?: AbortSignal | undefined;
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

/**
 * Has `key` sign `input` under `hash`, passing it a signal that aborts on timeout or when the
 * caller aborts; settles as soon as either happens even if the key ignores its signal. Throws
 * SIGNING_TIMEOUT, SIGNING_ABORTED, the key's own ReposignError, or SIGNING_FAILED for anything else.
 */
export async function signWithDeadline(key: SigningKey, input: SignInput, hash: HashAlgorithmName, deadline: SignDeadline = {}): Promise<Uint8Array> {
  const timeoutMs = deadline.timeoutMs ?? DEFAULT_SIGN_TIMEOUT_MS;
  const aborted = (): ReposignError => new ReposignError('SIGNING_ABORTED', `Signing with the ${key.kind} key was cancelled.`, { cause: deadline.signal?.reason });
  if (deadline.signal?.aborted) throw aborted();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new ReposignError('SIGNING_TIMEOUT', `The ${key.kind} key did not sign within ${timeoutMs} ms.`)),
    timeoutMs,
  );
  const onAbort = (): void => controller.abort(aborted());
  deadline.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([key.sign(input, hash, { signal: controller.signal }), rejectOnAbort(controller.signal)]);
  } catch (error) {
    if (error instanceof ReposignError) throw error;
    throw new ReposignError('SIGNING_FAILED', `The ${key.kind} key failed to sign.`, { cause: error });
  } finally {
    clearTimeout(timer);
    deadline.signal?.removeEventListener('abort', onAbort);
  }
}
