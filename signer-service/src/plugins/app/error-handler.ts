// SPDX-License-Identifier: MIT
// One error handler for the whole app: takes each error's HTTP status from the error catalogue
// (errors.ts) and keeps the {statusCode, code, error, message} body. 5xx messages are logged and
// hidden; a request failing its route schema gets 400 FEED_BAD_REQUEST naming the broken rule.

import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { STATUS_CODES } from 'node:http';
import { httpStatusOf } from '../../errors.js';
import { validationMessage } from '../../http/validation-messages.js';

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

const errorHandler: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const status = httpStatusOf(error);
    if (status !== undefined && 'code' in error) {
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        send(reply, status, error.code, status === 503 ? `${error.message}` : 'Internal server error.');
      } else {
        send(reply, status, error.code, error.message);
      }
      return;
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation !== undefined) {
      send(reply, 400, 'FEED_BAD_REQUEST', validationMessage(fastifyError.validation, fastifyError.validationContext ?? 'request'));
      return;
    }
    const fastifyStatus = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
    if (fastifyStatus >= 500) {
      request.log.error({ err: error }, 'request failed');
      send(reply, fastifyStatus, 'INTERNAL', 'Internal server error.');
    } else {
      send(reply, fastifyStatus, fastifyError.code ?? 'BAD_REQUEST', error.message);
    }
  });
  app.setNotFoundHandler((request, reply) => send(reply, 404, 'NOT_FOUND', `${request.method} ${request.url} is not a resource of this feed.`));
};

/**
 * The error and not-found handlers, set on the scope that registers the plugin (not encapsulated):
 * register it first on the root so that every route, hook and body parser error goes through it.
 */
export const errorHandlerPlugin = fastifyPlugin(errorHandler, { name: 'reposign-error-handler', fastify: '5.x' });
