// SPDX-License-Identifier: MIT
// Plain functions, not a plugin: the API key a request presents, and whether it is a configured one
// (keys are compared as SHA-256 digests, in constant time).

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

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
