// SPDX-License-Identifier: MIT
// SearchQueryService and SearchAutocompleteService.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Feed } from '../feed.js';
import { requestUrls } from '../http/public-url.js';
import { documentResponses } from '../schemas/error-body.js';
import { SearchQuery } from '../schemas/package-params.js';
import { AutocompleteResults, SearchResults } from '../schemas/search.js';
import { autocomplete, searchPackages } from '../services/search-service.js';

/** The search routes. */
export const searchRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { config, ctx } = feed;

  app.get('/v3/search', { schema: { querystring: SearchQuery, response: documentResponses(SearchResults) } }, async (request) =>
    searchPackages(ctx, requestUrls(config, request).urls, request.query),
  );

  app.get('/v3/autocomplete', { schema: { querystring: SearchQuery, response: documentResponses(AutocompleteResults) } }, async (request) =>
    autocomplete(ctx, request.query),
  );
};
