// SPDX-License-Identifier: MIT
// Plain functions, not a plugin: whether a request carries a body, and ending its connection after
// the reply instead of reading a body the feed has already refused (a wrong API key, an oversized
// upload).

import type { FastifyReply, FastifyRequest } from 'fastify';

/** True when the request declares a body: a non-zero Content-Length or a Transfer-Encoding. */
export function hasRequestBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** How long a refused upload's client gets to read the reply before its connection is cut. */
const REFUSED_BODY_LINGER_MS = 2000;

/**
 * When the request's body is still unread, the rest of it is never read: the reply goes out with
 * `Connection: close`, and once it is written the socket stops reading (Node would resume the
 * request to drain it, and a multipart parser would read on; the client's sends stall on a full
 * window) and closes when the client does, or after a short linger that lets it read the reply.
 */
export function closeUnreadBody(request: FastifyRequest, reply: FastifyReply): void {
  if (!hasRequestBody(request) || request.raw.complete) return;
  void reply.header('connection', 'close');
  const socket = request.raw.socket;
  reply.raw.once('finish', () => {
    request.raw.unpipe();
    request.raw.pause();
    socket.pause();
    socket.once('end', () => socket.destroy());
    setTimeout(() => socket.destroy(), REFUSED_BODY_LINGER_MS).unref();
  });
}
