// SPDX-License-Identifier: MIT
// GET /v3/index.json

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Feed } from '../feed.js';
import { requestUrls } from '../http/public-url.js';
import { serviceIndexDocument } from '../nuget/service-index.js';
import { documentResponses } from '../schemas/error-body.js';
import { ServiceIndex } from '../schemas/service-index.js';

/** The service index. */
export const serviceIndexRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  app.get('/v3/index.json', { schema: { response: documentResponses(ServiceIndex) } }, async (request) => {
    const { urls, https } = requestUrls(feed.config, request);
    return serviceIndexDocument(urls, https);
  });
};
