// SPDX-License-Identifier: MIT
// Resilience for calls to a remote key service (KMS, HSM): a timeout per attempt, retries with
// exponential back-off and jitter on throttling and outages, and a circuit breaker that fails fast
// after consecutive failures and lets one probe through once its cool-down is over. Outages end as
// SIGNING_UNAVAILABLE, which the feed answers with 503 and Retry-After.

import { isReposignError, ReposignError } from '../../errors.js';

/** How a backend judges a failed call: worth retrying, or final (a ReposignError to throw as is). */
export type RemoteFailure = 'throttled' | 'unavailable' | ReposignError;

/** Tunables of {@link RemoteCaller}; every field has a default. */
export interface ResilienceOptions {
  /** Milliseconds one attempt may take before it is aborted and counted as an outage; default 10 000. */
  readonly attemptTimeoutMs?: number;
  /** Attempts per call, the first included; default 3. */
  readonly maxAttempts?: number;
  /** The first back-off; it doubles per retry (with jitter) up to `maxDelayMs`; default 200. */
  readonly baseDelayMs?: number;
  /** The longest back-off; default 2 000. */
  readonly maxDelayMs?: number;
  /** Consecutive failed calls (after their retries) that open the circuit; default 5. */
  readonly failureThreshold?: number;
  /** Milliseconds the circuit stays open before one probe call is let through; default 30 000. */
  readonly openMs?: number;
}

/** The remote service as the caller describes it. */
export interface RemoteService {
  /** Named in messages: `AWS KMS key alias/nuget (eu-west-1)`. */
  readonly name: string;
  /** Judges a failed attempt that is not already a ReposignError (those are final as they are). */
  classify(error: unknown): RemoteFailure;
}

/** Clock and sleep, replaceable in tests. */
export interface ResilienceClock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The state of the circuit breaker, for logs and tests. */
export type CircuitState = 'closed' | 'open' | 'half-open';

const DEFAULTS: Required<ResilienceOptions> = {
  attemptTimeoutMs: 10_000,
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  failureThreshold: 5,
  openMs: 30_000,
};

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock and real timers. */
export const systemClock: ResilienceClock = { now: () => Date.now(), sleep: abortableSleep };

/** Why the last attempt failed, for the final message. */
function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.name !== 'Error' && !error.message.startsWith(error.name) ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/**
 * Runs calls to one remote service under one set of {@link ResilienceOptions}. Create one per open
 * key and share it by every call of that key, so the breaker sees the key's whole traffic.
 */
export class RemoteCaller {
  readonly #service: RemoteService;
  readonly #options: Required<ResilienceOptions>;
  readonly #clock: ResilienceClock;
  #failures = 0;
  #openedAt: number | undefined;
  #probing = false;

  constructor(service: RemoteService, options: ResilienceOptions = {}, clock: ResilienceClock = systemClock) {
    this.#service = service;
    this.#options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
    this.#clock = clock;
  }

  /** The breaker's state now. */
  get state(): CircuitState {
    if (this.#openedAt === undefined) return 'closed';
    return this.#clock.now() - this.#openedAt >= this.#options.openMs ? 'half-open' : 'open';
  }

  /**
   * Runs `operation` (`what` names it in messages: `Sign`), handing it a signal that aborts when
   * the attempt times out or `signal` aborts. Retries throttling and outages with back-off. Throws
   * the caller's abort reason when `signal` aborts, a final ReposignError as classified, or
   * SIGNING_UNAVAILABLE when the attempts are used up or the circuit is open.
   */
  async call<T>(what: string, operation: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    const probe = this.#admit(what);
    try {
      const result = await this.#attempts(what, operation, signal);
      this.#failures = 0;
      this.#openedAt = undefined;
      return result;
    } catch (error) {
      if (isReposignError(error, 'SIGNING_UNAVAILABLE')) {
        this.#recordOutage();
      } else if (!signal.aborted) {
        // The service answered (a refusal is an answer): it is reachable.
        this.#failures = 0;
        this.#openedAt = undefined;
      }
      throw error;
    } finally {
      if (probe) this.#probing = false;
    }
  }

  /** Lets a call through, or throws SIGNING_UNAVAILABLE while the circuit is open; true for the half-open probe. */
  #admit(what: string): boolean {
    const state = this.state;
    if (state === 'closed') return false;
    if (state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return true;
    }
    const waitMs = Math.max(0, (this.#openedAt ?? 0) + this.#options.openMs - this.#clock.now());
    throw new ReposignError(
      'SIGNING_UNAVAILABLE',
      `${this.#service.name} is unavailable: ${what} was not attempted after ${this.#failures} consecutive failures; the next attempt is in ${Math.ceil(waitMs / 1000)} s`,
    );
  }

  #recordOutage(): void {
    this.#failures += 1;
    if (this.#failures >= this.#options.failureThreshold || this.#openedAt !== undefined) this.#openedAt = this.#clock.now();
  }

  async #attempts<T>(what: string, operation: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    const { maxAttempts, attemptTimeoutMs, baseDelayMs, maxDelayMs } = this.#options;
    let last: unknown;
    let lastKind: 'throttled' | 'unavailable' = 'unavailable';
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      signal.throwIfAborted();
      // A referenced timer (unlike AbortSignal.timeout): a hung request keeps the process waiting for its verdict.
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${attemptTimeoutMs} ms`)), attemptTimeoutMs);
      try {
        return await operation(AbortSignal.any([signal, timeout.signal]));
      } catch (error) {
        signal.throwIfAborted();
        const timedOut = timeout.signal.aborted;
        const failure: RemoteFailure = timedOut ? 'unavailable' : error instanceof ReposignError ? error : this.#service.classify(error);
        if (failure instanceof ReposignError) throw failure;
        last = timedOut ? timeout.signal.reason : error;
        lastKind = failure;
      } finally {
        clearTimeout(timer);
      }
      if (attempt < maxAttempts) {
        const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await this.#clock.sleep(backoff / 2 + Math.random() * (backoff / 2), signal);
      }
    }
    const verb = lastKind === 'throttled' ? 'is throttling requests' : 'is unavailable';
    throw new ReposignError('SIGNING_UNAVAILABLE', `${this.#service.name} ${verb}: ${what} failed ${maxAttempts} times (${describeFailure(last)})`, { cause: last });
  }
}

