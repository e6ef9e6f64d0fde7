// SPDX-License-Identifier: MIT
// API key authentication as an `onRequest` hook on the scope that registers it (the publish scope,
// and the read scope when reads require a key), so no handler checks keys itself. Wrong keys are
// counted per client address (http/failed-attempts.ts); a refused request's body is never read.

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { FeedError, isFeedError } from '../../errors.js';
import { apiKeyMatches, presentedApiKey } from '../../http/api-keys.js';
import type { FailedAttempts } from '../../http/failed-attempts.js';
import { closeUnreadBody } from '../../http/request-body.js';

/** Whose requests the hook checks, against which keys. */
export interface AuthenticationOptions {
  /** SHA-256 digests of the configured API keys. */
  readonly apiKeyHashes: readonly Buffer[];
  /**
   * `publish`: FEED_UNAUTHORIZED without a key (or with none configured), FEED_FORBIDDEN for a wrong
   * one, as `dotnet nuget push` expects. `read`: FEED_UNAUTHORIZED unless a configured key is
   * presented (as the password of Basic authentication or X-NuGet-ApiKey).
   */
  readonly scope: 'publish' | 'read';
  /** The app's counter of wrong keys, shared by every scope. */
  readonly failures: FailedAttempts;
}

function checkPublisher(hashes: readonly Buffer[], key: string | undefined): void {
  if (hashes.length === 0) throw new FeedError('FEED_UNAUTHORIZED', 'No API keys are configured on this feed (set ApiKeys__0), so pushing is disabled.');
  if (key === undefined) throw new FeedError('FEED_UNAUTHORIZED', 'An API key is required (X-NuGet-ApiKey).');
  if (!apiKeyMatches(hashes, key)) throw new FeedError('FEED_FORBIDDEN', 'The API key is invalid.');
}

function checkReader(hashes: readonly Buffer[], key: string | undefined): void {
  if (key === undefined || !apiKeyMatches(hashes, key)) {
    throw new FeedError('FEED_UNAUTHORIZED', 'This feed requires authentication: use an API key as the password (Basic) or X-NuGet-ApiKey.');
  }
}

/**
 * Checks the key `request` presents; returns the seconds to wait when its address is past its limit
 * of wrong keys: then the key is not checked at all (else a right guess would still stand out).
 * A request without a key is not a guess and is not counted.
 */
function checkKey(options: AuthenticationOptions, request: FastifyRequest): number {
  const key = presentedApiKey(request);
  const retryAfter = key === undefined ? 0 : options.failures.blockedForSeconds(request.ip);
  if (retryAfter === 0) (options.scope === 'publish' ? checkPublisher : checkReader)(options.apiKeyHashes, key);
  return retryAfter;
}

const authentication: FastifyPluginAsync<AuthenticationOptions> = async (app, options) => {
  app.addHook('onRequest', async (request, reply) => {
    let retryAfter: number;
    try {
      retryAfter = checkKey(options, request);
    } catch (error) {
      if (isFeedError(error) && presentedApiKey(request) !== undefined) options.failures.recordFailure(request.ip);
      closeUnreadBody(request, reply);
      throw error;
    }
    if (retryAfter > 0) {
      closeUnreadBody(request, reply);
      void reply.header('retry-after', String(retryAfter));
      throw new FeedError('FEED_TOO_MANY_REQUESTS', `Too many wrong API keys from this address; try again in ${retryAfter} seconds.`);
    }
  });
};

/**
 * Adds the API key check to every route of the scope that registers it (not encapsulated, as
 * fastify/demo's `autohooks`); the routes themselves hold no authentication code.
 */
export const authenticationPlugin = fastifyPlugin(authentication, { name: 'reposign-authentication', fastify: '5.x' });
