// SPDX-License-Identifier: MIT
// PackagePublish/2.0.0: PUT /api/v2/package (multipart, as `dotnet nuget push` sends it), DELETE to
// unlist (or delete), POST to relist.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { FeedError, httpStatusOf, isFeedError } from '../errors.js';
import type { Feed } from '../feed.js';
import { tryParseVersion, versionKey } from '../nuget/version.js';
import { IdVersionParams } from '../schemas/package-params.js';
import { deletePackage, relistPackage } from '../services/package-admin-service.js';
import { publishPackage } from '../services/publish-service.js';

/** Streams the one file part of the upload to `path`, enforcing the size limit. */
async function receiveUpload(request: FastifyRequest, path: string, maxBytes: number): Promise<void> {
  if (!request.isMultipart()) {
    throw new FeedError('FEED_BAD_REQUEST', 'The package must be sent as multipart/form-data (as dotnet nuget push does).');
  }
  const tooLarge = (): FeedError =>
    new FeedError('FEED_PACKAGE_TOO_LARGE', `The package is larger than this feed's limit of ${maxBytes} bytes (MaxPackageSizeBytes).`);
  try {
    const part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 20 } });
    if (part === undefined) throw new FeedError('FEED_BAD_REQUEST', 'The multipart body holds no package file.');
    await pipeline(part.file, createWriteStream(path));
    if (part.file.truncated) throw tooLarge();
  } catch (error) {
    if (isFeedError(error)) throw error;
    if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw new FeedError('FEED_BAD_REQUEST', `The multipart body could not be read: ${(error as Error).message}`, { cause: error });
  }
}

function versionKeyOf(id: string, version: string): { idLower: string; versionLower: string } {
  const parsed = tryParseVersion(version);
  if (parsed === undefined) throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${id} ${version} does not exist.`);
  return { idLower: id.toLowerCase(), versionLower: versionKey(parsed) };
}

/** The publish routes; the scope that registers them checks the API key (plugins/app/authentication.ts). */
export const packagePublishRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { config, ctx } = feed;
  // Leave other bodies unparsed so the handler can say what a push must look like.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.put('/api/v2/package', async (request, reply) => {
    const upload = join(ctx.store.tempDir, `${randomUUID()}.upload.nupkg`);
    try {
      await receiveUpload(request, upload, config.maxPackageSizeBytes);
      const record = await publishPackage(ctx, upload);
      ctx.metrics.push('created');
      request.log.info({ id: record.id, version: record.version, signed: record.signedKey !== null }, 'package published');
      return await reply.status(201).send();
    } catch (error) {
      const status = httpStatusOf(error) ?? 500;
      ctx.metrics.push(isFeedError(error, 'FEED_PACKAGE_EXISTS') ? 'conflict' : isFeedError(error, 'FEED_SIGNATURE_REJECTED') ? 'rejected' : status >= 500 ? 'error' : 'invalid');
      throw error;
    } finally {
      await rm(upload, { force: true });
    }
  });

  app.delete('/api/v2/package/:id/:version', { schema: { params: IdVersionParams } }, async (request, reply) => {
    const { idLower, versionLower } = versionKeyOf(request.params.id, request.params.version);
    if (!(await deletePackage(ctx, config.packageDeletesBehavior, idLower, versionLower))) {
      throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${request.params.id} ${request.params.version} does not exist.`);
    }
    return reply.status(204).send();
  });

  app.post('/api/v2/package/:id/:version', { schema: { params: IdVersionParams } }, async (request, reply) => {
    const { idLower, versionLower } = versionKeyOf(request.params.id, request.params.version);
    if (!(await relistPackage(ctx, idLower, versionLower))) {
      throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${request.params.id} ${request.params.version} does not exist.`);
    }
    return reply.status(200).send();
  });
};
