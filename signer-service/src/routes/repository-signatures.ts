// SPDX-License-Identifier: MIT
// RepositorySignatures/5.0.0 and the certificate downloads it links to.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FeedError } from '../errors.js';
import type { Feed } from '../feed.js';
import { requestUrls } from '../plugins/app/public-url.js';
import { certificateDer, repositorySignatures } from '../services/certificate-service.js';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';

/** The repository-signatures index (https only) and `/v3/certificates/{fingerprint}.crt`. */
export const repositorySignatureRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { config, ctx } = feed;

  app.get('/v3/repository-signatures/index.json', async (request) => {
    const { urls, https } = requestUrls(config, request);
    // Clients require https for this resource and every contentUrl; an http feed does not offer it.
    if (!https) throw new FeedError('FEED_PACKAGE_NOT_FOUND', 'The repository-signatures resource is only served over https.');
    const { allRepositorySigned, certificates } = await repositorySignatures(ctx);
    return {
      allRepositorySigned,
      signingCertificates: certificates.map((certificate) => ({
        fingerprints: { [SHA256_OID]: certificate.fingerprintSha256 },
        subject: certificate.subject,
        issuer: certificate.issuer,
        notBefore: certificate.notBefore.toISOString(),
        notAfter: certificate.notAfter.toISOString(),
        contentUrl: urls.certificate(certificate.fingerprintSha256),
      })),
    };
  });

  app.get('/v3/certificates/:file', { schema: { params: Type.Object({ file: Type.String({ pattern: '^[0-9a-fA-F]{64}\\.crt$' }) }) } }, async (request, reply) => {
    const der = await certificateDer(ctx, request.params.file.slice(0, 64));
    if (der === undefined) throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Certificate ${request.params.file} was not found.`);
    return reply.type('application/pkix-cert').send(Buffer.from(der));
  });
};
