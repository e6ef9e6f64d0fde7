// SPDX-License-Identifier: MIT
// Health probes and Prometheus metrics.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Feed } from '../feed.js';

/** `/health/live`, `/health/ready` and `/metrics`. `isClosing` turns readiness off during shutdown. */
export const operationsRoutes: FastifyPluginAsyncTypebox<{ feed: Feed; isClosing: () => boolean }> = async (app, { feed, isClosing }) => {
  app.get('/health/live', async () => ({ status: 'live' }));

  app.get('/health/ready', async (request, reply) => {
    const checks: Record<string, string> = {};
    try {
      await feed.ctx.db.query('SELECT 1');
      checks['database'] = 'ok';
    } catch (error) {
      request.log.warn({ err: error }, 'readiness: database check failed');
      checks['database'] = 'failed';
    }
    checks['storage'] = (await feed.ctx.store.list('', 1).then(() => true, () => false)) ? 'ok' : 'failed';
    checks['shutdown'] = isClosing() ? 'in progress' : 'no';
    const ready = checks['database'] === 'ok' && checks['storage'] === 'ok' && !isClosing();
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const registry = feed.ctx.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
