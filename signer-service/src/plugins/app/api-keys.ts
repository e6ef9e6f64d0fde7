// SPDX-License-Identifier: MIT
// API key checks: keys are compared as SHA-256 digests, in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { FeedError } from '../../errors.js';

/** The key a request presents: `X-NuGet-ApiKey`, or the password of Basic authentication. */
export function presentedApiKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-nuget-apikey'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  if (authorization === undefined || !/^basic /i.test(authorization)) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** True when `key` is one of the configured keys. */
export function apiKeyMatches(hashes: readonly Buffer[], key: string): boolean {
  const digest = createHash('sha256').update(key, 'utf8').digest();
  // Check every key so the time taken does not tell which one matched.
  return hashes.reduce((found, hash) => timingSafeEqual(hash, digest) || found, false);
}

/** Throws FEED_UNAUTHORIZED unless the request presents a configured key. */
export function assertApiKey(hashes: readonly Buffer[], request: FastifyRequest): void {
  const key = presentedApiKey(request);
  if (hashes.length === 0) throw new FeedError('FEED_UNAUTHORIZED', 'No API keys are configured on this feed (set ApiKeys__0), so pushing is disabled.');
  if (key === undefined) throw new FeedError('FEED_UNAUTHORIZED', 'An API key is required (X-NuGet-ApiKey).');
  if (!apiKeyMatches(hashes, key)) throw new FeedError('FEED_FORBIDDEN', 'The API key is invalid.');
}
