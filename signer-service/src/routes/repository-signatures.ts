// SPDX-License-Identifier: MIT
// RepositorySignatures/5.0.0 and the certificate downloads it links to.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FeedError } from '../errors.js';
import type { Feed } from '../feed.js';
import { requestUrls } from '../http/public-url.js';
import { documentResponses } from '../schemas/error-body.js';
import { RepositorySignaturesIndex } from '../schemas/repository-signatures.js';
import { certificateDer, repositorySignaturesIndex } from '../services/certificate-service.js';

/** The repository-signatures index (https only) and `/v3/certificates/{fingerprint}.crt`. */
export const repositorySignatureRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { config, ctx } = feed;

  app.get('/v3/repository-signatures/index.json', { schema: { response: documentResponses(RepositorySignaturesIndex) } }, async (request) => {
    const { urls, https } = requestUrls(config, request);
    // Clients require https for this resource and every contentUrl; an http feed does not offer it.
    if (!https) throw new FeedError('FEED_PACKAGE_NOT_FOUND', 'The repository-signatures resource is only served over https.');
    return repositorySignaturesIndex(ctx, urls);
  });

  app.get('/v3/certificates/:file', { schema: { params: Type.Object({ file: Type.String({ pattern: '^[0-9a-fA-F]{64}\\.crt$' }) }) } }, async (request, reply) => {
    const der = await certificateDer(ctx, request.params.file.slice(0, 64));
    if (der === undefined) throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Certificate ${request.params.file} was not found.`);
    return reply.type('application/pkix-cert').send(Buffer.from(der));
  });
};
