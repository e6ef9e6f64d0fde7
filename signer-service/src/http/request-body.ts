// SPDX-License-Identifier: MIT
// Plain functions, not a plugin: whether a request carries a body, and ending its connection after
// the reply instead of reading a body the feed has already refused.

import type { FastifyReply, FastifyRequest } from 'fastify';

/** True when the request declares a body: a non-zero Content-Length or a Transfer-Encoding. */
export function hasRequestBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * Marks the reply `Connection: close` when the request's body is unread, so Node ends the socket
 * once the reply is written rather than reading (and waiting for) the rest of the body.
 */
export function closeUnreadBody(request: FastifyRequest, reply: FastifyReply): void {
  if (hasRequestBody(request) && !request.raw.complete) void reply.header('connection', 'close');
}
