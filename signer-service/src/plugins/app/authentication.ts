// SPDX-License-Identifier: MIT
// API key authentication as an `onRequest` hook on the scope that registers it (the publish scope,
// and the read scope when reads require a key), so no handler checks keys itself.

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { FeedError } from '../../errors.js';
import { apiKeyMatches, presentedApiKey } from '../../http/api-keys.js';

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
}

function checkPublisher(hashes: readonly Buffer[], request: FastifyRequest): void {
  const key = presentedApiKey(request);
  if (hashes.length === 0) throw new FeedError('FEED_UNAUTHORIZED', 'No API keys are configured on this feed (set ApiKeys__0), so pushing is disabled.');
  if (key === undefined) throw new FeedError('FEED_UNAUTHORIZED', 'An API key is required (X-NuGet-ApiKey).');
  if (!apiKeyMatches(hashes, key)) throw new FeedError('FEED_FORBIDDEN', 'The API key is invalid.');
}

function checkReader(hashes: readonly Buffer[], request: FastifyRequest): void {
  const key = presentedApiKey(request);
  if (key === undefined || !apiKeyMatches(hashes, key)) {
    throw new FeedError('FEED_UNAUTHORIZED', 'This feed requires authentication: use an API key as the password (Basic) or X-NuGet-ApiKey.');
  }
}

const authentication: FastifyPluginAsync<AuthenticationOptions> = async (app, { apiKeyHashes, scope }) => {
  const check = scope === 'publish' ? checkPublisher : checkReader;
  app.addHook('onRequest', async (request) => check(apiKeyHashes, request));
};

/**
 * Adds the API key check to every route of the scope that registers it (not encapsulated, as
 * fastify/demo's `autohooks`); the routes themselves hold no authentication code.
 */
export const authenticationPlugin = fastifyPlugin(authentication, { name: 'reposign-authentication', fastify: '5.x' });
