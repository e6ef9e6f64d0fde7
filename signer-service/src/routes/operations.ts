// SPDX-License-Identifier: MIT
// Health probes and Prometheus metrics.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Feed } from '../feed.js';
import { checkReadiness } from '../services/health-service.js';

/** `/health/live`, `/health/ready` and `/metrics`. `isClosing` turns readiness off during shutdown. */
export const operationsRoutes: FastifyPluginAsyncTypebox<{ feed: Feed; isClosing: () => boolean }> = async (app, { feed, isClosing }) => {
  app.get('/health/live', async () => ({ status: 'live' }));

  app.get('/health/ready', async (request, reply) => {
    const { ready, checks } = await checkReadiness(feed.ctx, isClosing(), request.log);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const registry = feed.ctx.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
