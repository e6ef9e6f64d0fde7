// SPDX-License-Identifier: MIT
// The feed as one Fastify application: NuGet v3 resources, auth, Host check, body and connection
// limits, error mapping and operations.

import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Feed } from './feed.js';
import { failedAttempts } from './http/failed-attempts.js';
import { allowedHostsPlugin } from './plugins/app/allowed-hosts.js';
import { authenticationPlugin } from './plugins/app/authentication.js';
import { errorHandlerPlugin } from './plugins/app/error-handler.js';
import { requestBodyLimitsPlugin } from './plugins/app/request-body-limits.js';
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

/** Log paths that may hold an API key; pino replaces their values. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-nuget-apikey"]',
  'headers.authorization',
  'headers["x-nuget-apikey"]',
  'request.headers.authorization',
  'request.headers["x-nuget-apikey"]',
  // @fastify/multipart logs the options it gives busboy, request headers included, at trace level.
  'busboyOptions.headers.authorization',
  'busboyOptions.headers["x-nuget-apikey"]',
];

/** The logger options with header redaction added (an explicit `false` stays off). */
function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false || logger === undefined) return logger;
  return { ...(logger === true ? {} : logger), redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}

/**
 * Builds (but does not start) the HTTP app over an open feed. Closing the app does not close the
 * feed; the caller closes both, the app first so in-flight requests finish.
 */
export async function buildApp(feed: Feed, options: AppOptions): Promise<FastifyInstance> {
  const { config } = feed;
  const app = Fastify({
    logger: withRedaction(options.logger),
    ...(options.https === undefined ? {} : { https: { cert: options.https.cert, key: options.https.key } }),
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    // Uploads of large packages over slow links: allow 15 minutes per request.
    requestTimeout: 15 * 60 * 1000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Long enough for the longest file name ({id}.{version}.nupkg), so over-long ids and versions
    // reach their route schema and get its 400.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  await app.register(errorHandlerPlugin);
  await app.register(requestBodyLimitsPlugin, { limits: config.limits });
  const failures = failedAttempts(config.maxFailedApiKeyAttemptsPerMinute);
  await app.register(multipart);
  await app.register(operationsRoutes, { feed, isClosing: () => closing || feed.draining });
  await app.register(async (publish) => {
    await publish.register(allowedHostsPlugin, { config });
    await publish.register(authenticationPlugin, { apiKeyHashes: config.apiKeyHashes, scope: 'publish', failures });
    await publish.register(packagePublishRoutes, { feed });
  });
  await app.register(async (reads) => {
    await reads.register(allowedHostsPlugin, { config });
    if (config.requireAuthenticationForReads) await reads.register(authenticationPlugin, { apiKeyHashes: config.apiKeyHashes, scope: 'read', failures });
    await reads.register(serviceIndexRoutes, { feed });
    await reads.register(flatContainerRoutes, { feed });
    await reads.register(registrationRoutes, { feed });
    await reads.register(searchRoutes, { feed });
    await reads.register(repositorySignatureRoutes, { feed });
  });
  return app;
}
