// SPDX-License-Identifier: MIT
// One error handler: maps error codes to HTTP statuses and keeps the {statusCode, code, error,
// message} body. 5xx messages are logged and hidden.

import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { isReposignError, type ErrorCode } from '../../errors.js';

const CLIENT_PREFIXES = ['ARCHIVE_', 'NUSPEC_', 'SIGNATURE_'];

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  FEED_BAD_REQUEST: 400,
  FEED_SIGNATURE_REJECTED: 400,
  FEED_UNAUTHORIZED: 401,
  FEED_PACKAGE_NOT_FOUND: 404,
  FEED_PACKAGE_EXISTS: 409,
  FEED_PACKAGE_TOO_LARGE: 413,
  TIMESTAMP_FAILED: 503,
  FEED_SIGNING_UNAVAILABLE: 503,
};

/** The HTTP status for a ReposignError code. */
export function statusForCode(code: ErrorCode, nugetCode: string | undefined): number {
  if (code === 'FEED_UNAUTHORIZED' && nugetCode === 'forbidden') return 403;
  return STATUS[code] ?? (CLIENT_PREFIXES.some((prefix) => code.startsWith(prefix)) ? 400 : 500);
}

/**
 * Sends an error reply. The NuGet client prints the status line's reason phrase, so 4xx replies
 * carry the message there too (printable ASCII only).
 */
function send(reply: FastifyReply, statusCode: number, code: string, message: string): void {
  if (statusCode < 500) reply.raw.statusMessage = `${STATUS_CODES[statusCode] ?? 'Error'} - ${message}`.replace(/[^\x20-\x7e]/g, ' ').slice(0, 400);
  if (statusCode === 503) void reply.header('retry-after', '30');
  if (statusCode === 401) void reply.header('www-authenticate', 'Basic realm="reposign"');
  void reply.status(statusCode).send({ statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message });
}

/** Installs the handler on `app`. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (isReposignError(error)) {
      const status = statusForCode(error.code, error.nugetCode);
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        send(reply, status, error.code, status === 503 ? `${error.message}` : 'Internal server error.');
      } else {
        send(reply, status, error.code, error.message);
      }
      return;
    }
    const fastifyError = error as FastifyError;
    const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      send(reply, status, 'INTERNAL', 'Internal server error.');
    } else {
      send(reply, status, fastifyError.code ?? 'BAD_REQUEST', error.message);
    }
  });
  app.setNotFoundHandler((request, reply) => send(reply, 404, 'NOT_FOUND', `${request.method} ${request.url} is not a resource of this feed.`));
}
