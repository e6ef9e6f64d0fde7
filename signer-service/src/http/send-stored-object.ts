// SPDX-License-Identifier: MIT
// Sends a stored object as the whole response, writing it straight to the socket (see
// storage/filesystem/file-sender.ts) rather than through a stream that allocates per chunk.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PackageDownload } from '../services/download-service.js';

/**
 * Answers 200 with `headers`, a Content-Length and the object's bytes (headers only for HEAD).
 * Fastify logs the completed request when the response finishes, hijacked or not. A failure after
 * the headers went out can only be reported by cutting the connection: the client sees a short
 * body, never a wrong one, and since such a response never finishes, the line is logged here.
 */
export async function sendStoredObject(request: FastifyRequest, reply: FastifyReply, object: PackageDownload, headers: Record<string, string>): Promise<void> {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, { ...headers, 'content-length': object.size });
  try {
    if (request.method === 'HEAD') await object.close();
    else await object.writeTo(response);
    response.end();
  } catch (error) {
    response.destroy();
    request.log.info({ err: error }, 'the download ended early');
    request.log.info({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
