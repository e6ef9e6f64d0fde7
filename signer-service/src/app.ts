// SPDX-License-Identifier: MIT
// The feed as one Fastify application: NuGet v3 resources, auth, error mapping and operations.

import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Feed } from './feed.js';
import { authenticationPlugin } from './plugins/app/authentication.js';
import { errorHandlerPlugin } from './plugins/app/error-handler.js';
import { flatContainerRoutes } from './routes/flat-container.js';
import { operationsRoutes } from './routes/operations.js';
import { packagePublishRoutes } from './routes/package-publish.js';
import { registrationRoutes } from './routes/registrations.js';
import { repositorySignatureRoutes } from './routes/repository-signatures.js';
import { searchRoutes } from './routes/search.js';
import { serviceIndexRoutes } from './routes/service-index.js';

/** How to build the app; TLS material is PEM text. */
export interface AppOptions {
  readonly logger: FastifyServerOptions['logger'];
  readonly https?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
}

/**
 * Builds (but does not start) the HTTP app over an open feed. Closing the app does not close the
 * feed; the caller closes both, the app first so in-flight requests finish.
 */
export async function buildApp(feed: Feed, options: AppOptions): Promise<FastifyInstance> {
  const { config } = feed;
  const app = Fastify({
    logger: options.logger,
    ...(options.https === undefined ? {} : { https: { cert: options.https.cert, key: options.https.key } }),
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    // Uploads of large packages over slow links: allow 15 minutes per request.
    requestTimeout: 15 * 60 * 1000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  await app.register(errorHandlerPlugin);
  await app.register(multipart);
  await app.register(operationsRoutes, { feed, isClosing: () => closing });
  await app.register(async (publish) => {
    await publish.register(authenticationPlugin, { apiKeyHashes: config.apiKeyHashes, scope: 'publish' });
    await publish.register(packagePublishRoutes, { feed });
  });
  await app.register(async (reads) => {
    if (config.requireAuthenticationForReads) await reads.register(authenticationPlugin, { apiKeyHashes: config.apiKeyHashes, scope: 'read' });
    await reads.register(serviceIndexRoutes, { feed });
    await reads.register(flatContainerRoutes, { feed });
    await reads.register(registrationRoutes, { feed });
    await reads.register(searchRoutes, { feed });
    await reads.register(repositorySignatureRoutes, { feed });
  });
  return app;
}
