// SPDX-License-Identifier: MIT
// Closes the connection of a request whose body stalls (no byte for BodyIdleTimeoutSeconds) or
// trickles (under BodyMinBytesPerSecond over the last BodyMinRateWindowSeconds, checked once a
// window has passed). Headers already time out in Node (408). Watches the socket's byte count, so
// the body stream itself is left to whoever reads it. A body the feed holds back on purpose (a push
// waiting for its turn) is not timed until it is let through.

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Socket } from 'node:net';
import type { Config } from '../../config/config.js';
import { isBodyHeld } from '../../http/concurrency-limit.js';
import { hasRequestBody } from '../../http/request-body.js';

/** What Node itself writes when headers time out, for a body that does. */
const TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

type Limits = Config['limits'];

/** Why a body's connection must close now, or undefined while it keeps pace. */
function verdict(limits: Limits, samples: readonly { at: number; bytes: number }[], started: number, lastProgress: number, now: number): string | undefined {
  if (now - lastProgress >= limits.bodyIdleTimeoutMs) return `no body byte for ${limits.bodyIdleTimeoutMs} ms`;
  const oldest = samples[0];
  const newest = samples.at(-1);
  if (limits.bodyMinBytesPerSecond === 0 || oldest === undefined || newest === undefined || now - started < limits.bodyMinRateWindowMs) return undefined;
  const seconds = (newest.at - oldest.at) / 1000;
  const rate = seconds > 0 ? (newest.bytes - oldest.bytes) / seconds : Infinity;
  return rate < limits.bodyMinBytesPerSecond ? `body slower than ${limits.bodyMinBytesPerSecond} bytes/s (${Math.round(rate)})` : undefined;
}

function watchBody(limits: Limits, request: FastifyRequest, reply: FastifyReply, socket: Socket): () => void {
  let started = Date.now();
  let samples = [{ at: started, bytes: socket.bytesRead }];
  let lastProgress = started;
  const tick = Math.max(20, Math.min(1000, limits.bodyIdleTimeoutMs / 4, limits.bodyMinRateWindowMs / 4));
  const timer = setInterval(() => {
    const now = Date.now();
    const bytes = socket.bytesRead;
    if (isBodyHeld(request.raw)) {
      // The feed holds this body back (a push waiting for its turn): its timing starts once it is read.
      started = now;
      lastProgress = now;
      samples = [{ at: now, bytes }];
      return;
    }
    if (bytes !== samples.at(-1)?.bytes) lastProgress = now;
    samples.push({ at: now, bytes });
    while (samples.length > 2 && now - (samples[1]?.at ?? now) >= limits.bodyMinRateWindowMs) samples.shift();
    if (request.raw.complete || socket.destroyed) {
      clearInterval(timer);
      return;
    }
    const reason = verdict(limits, samples, started, lastProgress, now);
    if (reason === undefined) return;
    clearInterval(timer);
    request.log.info({ reason }, 'request body too slow; connection closed');
    if (!reply.raw.headersSent && socket.writable) socket.end(TIMEOUT_RESPONSE);
    socket.destroySoon();
  }, tick);
  timer.unref();
  return () => clearInterval(timer);
}

const requestBodyLimits: FastifyPluginAsync<{ limits: Limits }> = async (app, { limits }) => {
  app.server.maxConnections = limits.maxConnections;
  app.addHook('onRequest', async (request, reply) => {
    // Injected requests (tests) have no real socket to watch.
    const socket = request.raw.socket as Socket | null;
    if (!hasRequestBody(request) || request.raw.complete || typeof socket?.bytesRead !== 'number') return;
    const stop = watchBody(limits, request, reply, socket);
    reply.raw.once('close', stop);
  });
};

/**
 * Body idle and rate timeouts for every route, and the cap on concurrent connections
 * (Limits:MaxConnections; further connections are closed by Node at once).
 */
export const requestBodyLimitsPlugin = fastifyPlugin(requestBodyLimits, { name: 'reposign-request-body-limits', fastify: '5.x' });
