// SPDX-License-Identifier: MIT
// Asks RFC 3161 authorities for a timestamp over a signature value, with per-attempt timeouts and
// failover from one URL to the next.

import { ReposignError, isReposignError } from '../errors.js';
import type { HashAlgorithmName } from '../hash-algorithm.js';
import { createTimestampRequest } from './request.js';
import { readTimestampResponse } from './response.js';
import { validateTimestampToken, type TimestampToken } from './token.js';

/** Where and how to ask for timestamps. */
export interface TimestamperOptions {
  /** TSA URLs, tried in order; an empty list or only empty strings disables timestamping. */
  readonly urls: readonly string[];
  /** Imprint hash; SHA256 by default, as NuGet. */
  readonly hashAlgorithm?: HashAlgorithmName;
  /** Budget for one attempt (connect, reply and body), 10 000 ms by default. */
  readonly timeoutMs?: number;
  /** The fetch implementation; tests inject one. */
  readonly fetch?: typeof fetch;
}

/** Obtains validated timestamp tokens. */
export interface Timestamper {
  /**
   * Timestamps `signatureValue` (the SignerInfo signature octets). Throws TIMESTAMP_FAILED, listing
   * every URL and why it failed, when no TSA produced a valid token.
   */
  timestamp(signatureValue: Uint8Array): Promise<TimestampToken>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Returns a Timestamper over `options.urls`, or undefined when timestamping is disabled (no URL, or
 * only empty strings). Throws INVALID_ARGUMENT for a URL that is not absolute http(s) or a timeout
 * that is not a positive number.
 */
export function createTimestamper(options: TimestamperOptions): Timestamper | undefined {
  const urls = options.urls.map((url) => url.trim()).filter((url) => url !== '');
  if (urls.length === 0) return undefined;
  for (const url of urls) checkUrl(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ReposignError('INVALID_ARGUMENT', `Timestamp timeout must be a positive number of milliseconds, not ${timeoutMs}.`);
  }
  const attempt: Attempt = {
    hashAlgorithm: options.hashAlgorithm ?? 'SHA256',
    timeoutMs,
    fetch: options.fetch ?? fetch,
  };
  return { timestamp: (signatureValue) => timestampWithFailover(urls, signatureValue, attempt) };
}

interface Attempt {
  readonly hashAlgorithm: HashAlgorithmName;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

async function timestampWithFailover(urls: readonly string[], signatureValue: Uint8Array, attempt: Attempt): Promise<TimestampToken> {
  const failures: Error[] = [];
  for (const url of urls) {
    try {
      return await timestampOnce(url, signatureValue, attempt);
    } catch (error) {
      failures.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  const reasons = urls.map((url, index) => `${url}: ${describe(failures[index])}`).join('; ');
  const last = failures.at(-1);
  throw new ReposignError('TIMESTAMP_FAILED', `No timestamp authority produced a valid timestamp (${reasons}).`, {
    cause: failures.length === 1 ? last : new AggregateError(failures, 'every timestamp authority failed'),
    nugetCode: isReposignError(last) ? last.nugetCode : undefined,
  });
}

async function timestampOnce(url: string, signatureValue: Uint8Array, attempt: Attempt): Promise<TimestampToken> {
  const request = createTimestampRequest(signatureValue, attempt.hashAlgorithm);
  // One signal covers the connection, the headers and the body, so a TSA that stalls anywhere is cut off.
  const signal = AbortSignal.timeout(attempt.timeoutMs);
  let body: Uint8Array;
  try {
    const response = await attempt.fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' },
      body: request.der,
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new ReposignError('TIMESTAMP_FAILED', `HTTP ${response.status} ${response.statusText}`.trim());
    }
    body = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (isReposignError(error)) throw error;
    throw new ReposignError('TIMESTAMP_FAILED', transportFailure(error, attempt.timeoutMs), { cause: error });
  }
  const tokenDer = readTimestampResponse(body);
  return validateTimestampToken(tokenDer, signatureValue, url, request);
}

function checkUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch (error) {
    throw new ReposignError('INVALID_ARGUMENT', `Timestamp URL '${url}' is not an absolute URL.`, { cause: error });
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ReposignError('INVALID_ARGUMENT', `Timestamp URL '${url}' must use http or https.`);
  }
}

function transportFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no reply within ${timeoutMs} ms`;
  return describe(error);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = isReposignError(error) && error.nugetCode !== undefined ? ` (${error.nugetCode})` : '';
  const cause = error.cause instanceof Error && !isReposignError(error) ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}${code}`;
}
