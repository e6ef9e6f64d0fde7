// SPDX-License-Identifier: MIT
// Plain functions, not a plugin: the base URL a client used to reach the feed — PublicBaseUrl when
// configured, else the request's scheme and host (X-Forwarded-Proto/Host count only from trusted
// proxies, through trustProxy).

import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { feedUrls, type FeedUrls } from '../nuget/feed-urls.js';

/** The base URL, without a trailing slash, for `request`. */
export function publicBaseUrl(config: Config, request: FastifyRequest): string {
  return config.publicBaseUrl ?? `${request.protocol}://${request.host}`;
}

/** Resource URLs for `request`, and whether they are https. */
export function requestUrls(config: Config, request: FastifyRequest): { urls: FeedUrls; https: boolean } {
  const base = publicBaseUrl(config, request);
  return { urls: feedUrls(base), https: base.toLowerCase().startsWith('https://') };
}
