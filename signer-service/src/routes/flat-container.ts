// SPDX-License-Identifier: MIT
// PackageBaseAddress/3.0.0: versions index, .nupkg (always our signed bytes) and .nuspec.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FeedError, isFeedError } from '../errors.js';
import type { Feed } from '../feed.js';
import { sendStoredObject } from '../http/send-stored-object.js';
import { tryParseVersion, versionKey } from '../nuget/version.js';
import { documentResponses } from '../schemas/error-body.js';
import { FlatContainerVersions } from '../schemas/flat-container.js';
import { FlatFileParams, IdParams } from '../schemas/package-params.js';

/** The flat container routes. */
export const flatContainerRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { ctx, downloads } = feed;
  const notFound = (what: string): FeedError => new FeedError('FEED_PACKAGE_NOT_FOUND', `${what} was not found.`);

  app.get('/v3/flatcontainer/:id/index.json', { schema: { params: IdParams, response: documentResponses(FlatContainerVersions) } }, async (request) =>
    downloads.versionsIndex(request.params.id),
  );

  app.get('/v3/flatcontainer/:id/:version/:file', { schema: { params: FlatFileParams } }, async (request, reply) => {
    const idLower = request.params.id.toLowerCase();
    const parsed = tryParseVersion(request.params.version);
    if (parsed === undefined) throw notFound(`Package ${request.params.id} ${request.params.version}`);
    const versionLower = versionKey(parsed);
    const file = request.params.file.toLowerCase();
    if (file === `${idLower}.nuspec`) {
      const xml = await downloads.readNuspec(idLower, versionLower);
      ctx.metrics.download('nuspec', xml === undefined ? 'not_found' : 'ok');
      if (xml === undefined) throw notFound(`Package ${request.params.id} ${request.params.version}`);
      return reply.type('application/xml; charset=utf-8').send(xml);
    }
    if (file !== `${idLower}.${request.params.version.toLowerCase()}.nupkg` && file !== `${idLower}.${versionLower}.nupkg`) {
      throw notFound(`File ${request.params.file}`);
    }
    try {
      const download = await downloads.openPackage(idLower, versionLower);
      ctx.metrics.download('nupkg', download === undefined ? 'not_found' : 'ok');
      if (download === undefined) throw notFound(`Package ${request.params.id} ${request.params.version}`);
      await sendStoredObject(request, reply, download, { 'content-type': 'application/octet-stream', etag: `"${download.record.generation}"` });
      return reply;
    } catch (error) {
      if (!isFeedError(error, 'FEED_PACKAGE_NOT_FOUND')) ctx.metrics.download('nupkg', 'error');
      throw error;
    }
  });
};
