// SPDX-License-Identifier: MIT
// GET /v3/index.json

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Feed } from '../feed.js';
import { serviceIndexDocument } from '../nuget/service-index.js';
import { requestUrls } from '../plugins/app/public-url.js';

/** The service index. */
export const serviceIndexRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  app.get('/v3/index.json', async (request) => {
    const { urls, https } = requestUrls(feed.config, request);
    return serviceIndexDocument(urls, https);
  });
};
