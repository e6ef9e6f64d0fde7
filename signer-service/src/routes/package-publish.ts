// SPDX-License-Identifier: MIT
// PackagePublish/2.0.0: PUT /api/v2/package (multipart, as `dotnet nuget push` sends it), DELETE to
// unlist (or delete), POST to relist.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConcurrencyLimit, type Release } from '../http/concurrency-limit.js';
import { FeedError, httpStatusOf, isFeedError } from '../errors.js';
import type { Feed } from '../feed.js';
import { closeUnreadBody } from '../http/request-body.js';
import { noteReceivedBytes } from '../http/upload-garbage.js';
import { tryParseVersion, versionKey } from '../nuget/version.js';
import { IdVersionParams } from '../schemas/package-params.js';
import { deletePackage, relistPackage } from '../services/package-admin-service.js';
import { publishPackage, type ReceivedUpload } from '../services/publish-service.js';
import { IN_MEMORY_UPLOAD_BYTES, uploadBuffers } from '../services/upload-buffers.js';
import { storageFaultOf } from '../services/storage-faults.js';

/**
 * Room for the multipart envelope around the package (boundaries, part headers, the few small
 * fields a client may add): a declared length beyond limit + this is refused before any byte is read.
 */
const MULTIPART_ENVELOPE_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): FeedError {
  return new FeedError('FEED_PACKAGE_TOO_LARGE', `The package is larger than this feed's limit of ${maxBytes} bytes (MaxPackageSizeBytes).`);
}

/**
 * Copies the upload's file part into `buffer` and returns the filled part; FEED_PACKAGE_TOO_LARGE
 * beyond `maxBytes`, FEED_BAD_REQUEST when the part is larger than the body declared.
 */
async function collect(file: Readable, buffer: Buffer, maxBytes: number): Promise<Buffer> {
  let size = 0;
  for await (const chunk of file) {
    const bytes = chunk as Buffer;
    if (size + bytes.length > maxBytes) throw tooLarge(maxBytes);
    if (size + bytes.length > buffer.length) throw new FeedError('FEED_BAD_REQUEST', 'The package part is larger than the request body.');
    bytes.copy(buffer, size);
    size += bytes.length;
    noteReceivedBytes(bytes.length);
  }
  return buffer.subarray(0, size);
}

/** Passes an upload's chunks through, counting them for {@link noteReceivedBytes}. */
async function* countReceived(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    noteReceivedBytes(chunk.length);
    yield chunk;
  }
}

/**
 * Receives the one file part of the upload in one pass, enforcing the size limit: into memory when
 * the request declares a small body, otherwise to a new file at `path` in the scratch folder.
 */
async function receiveUpload(request: FastifyRequest, path: string, maxBytes: number, buffers: Buffer[]): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw new FeedError('FEED_BAD_REQUEST', 'The package must be sent as multipart/form-data (as dotnet nuget push does).');
  }
  try {
    const part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 20 } });
    if (part === undefined) throw new FeedError('FEED_BAD_REQUEST', 'The multipart body holds no package file.');
    // The parser would read the rest of an oversized part to its end: stop at the limit.
    part.file.once('limit', () => part.file.destroy(tooLarge(maxBytes)));
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    if (declared <= IN_MEMORY_UPLOAD_BYTES) {
      const buffer = uploadBuffers.take();
      buffers.push(buffer);
      const bytes = await collect(part.file, buffer, maxBytes);
      if (part.file.truncated) throw tooLarge(maxBytes);
      return { kind: 'memory', bytes, sizeBytes: bytes.length };
    }
    const file = createWriteStream(path);
    await pipeline(part.file, countReceived, file);
    if (part.file.truncated) throw tooLarge(maxBytes);
    return { kind: 'file', path, sizeBytes: file.bytesWritten };
  } catch (error) {
    if (isFeedError(error)) throw error;
    if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    const fault = storageFaultOf(error, 'received');
    if (fault !== undefined) throw fault;
    throw new FeedError('FEED_BAD_REQUEST', `The multipart body could not be read: ${(error as Error).message}`, { cause: error });
  }
}

function versionKeyOf(id: string, version: string): { idLower: string; versionLower: string } {
  const parsed = tryParseVersion(version);
  if (parsed === undefined) throw new FeedError('FEED_PACKAGE_NOT_FOUND', `Package ${id} ${version} does not exist.`);
  return { idLower: id.toLowerCase(), versionLower: versionKey(parsed) };
}

/**
 * Waits for one of `slots` for the push `request`; its body stays unread meanwhile. Rejects with
 * FEED_BAD_REQUEST when the client closes the connection first.
 */
async function pushSlot(slots: ConcurrencyLimit, request: FastifyRequest): Promise<Release> {
  // Without a limit nothing ever waits: no listener to set up per push.
  if (slots.limit === 0) return slots.acquire();
  const { socket } = request.raw;
  const left = new AbortController();
  const onClose = (): void => left.abort(new FeedError('FEED_BAD_REQUEST', 'The connection closed while the push waited for its turn.'));
  socket.once('close', onClose);
  try {
    return await slots.acquire({ request: request.raw, signal: left.signal });
  } finally {
    socket.off('close', onClose);
  }
}

/** The publish routes; the scope that registers them checks the API key (plugins/app/authentication.ts). */
export const packagePublishRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { config, ctx } = feed;
  // Leave other bodies unparsed so the handler can say what a push must look like.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  // After the API key check (the scope's onRequest hook): refuse a declared length over the limit
  // before reading the body.
  const refuseDeclaredOversize = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > config.maxPackageSizeBytes + MULTIPART_ENVELOPE_BYTES) {
      closeUnreadBody(request, reply);
      throw tooLarge(config.maxPackageSizeBytes);
    }
  };

  // Limits:MaxConcurrentPushes: pushes beyond it wait here, unread, after their key and size were checked.
  const pushSlots = new ConcurrencyLimit(config.limits.maxConcurrentPushes);
  ctx.metrics.countWaitingPushes(() => pushSlots.waiting);

  app.put('/api/v2/package', { onRequest: refuseDeclaredOversize }, async (request, reply) => {
    const release = await pushSlot(pushSlots, request);
    const upload = join(ctx.store.tempDir, `${randomUUID()}.upload.nupkg`);
    // The pooled buffer an upload received into memory sits in, back to the pool once published.
    const buffers: Buffer[] = [];
    try {
      const record = await publishPackage(ctx, await receiveUpload(request, upload, config.maxPackageSizeBytes, buffers));
      ctx.metrics.push('created');
      request.log.info({ id: record.id, version: record.version, signed: record.signedKey !== null }, 'package published');
      return await reply.status(201).send();
    } catch (caught) {
      const error = storageFaultOf(caught, 'published') ?? caught;
      const status = httpStatusOf(error) ?? 500;
      ctx.metrics.push(isFeedError(error, 'FEED_PACKAGE_EXISTS') ? 'conflict' : isFeedError(error, 'FEED_SIGNATURE_REJECTED') ? 'rejected' : status >= 500 ? 'error' : 'invalid');
      if (isFeedError(error, 'FEED_PACKAGE_TOO_LARGE')) closeUnreadBody(request, reply);
      throw error;
    } finally {
      for (const buffer of buffers) uploadBuffers.give(buffer);
      release();
      // An upload received into a pooled buffer never had a scratch file.
      if (buffers.length === 0) await rm(upload, { force: true });
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
