// SPDX-License-Identifier: MIT
// What a client sees when a download fails after its headers went out: a connection cut short of
// the announced length, never a complete-looking wrong body.

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify from 'fastify';
import { sendStoredObject } from '../../../src/http/send-stored-object.js';
import type { PackageDownload } from '../../../src/services/download-service.js';

function failingObject(size: number, sent: number): PackageDownload {
  return {
    size,
    async writeTo(destination: Writable) {
      destination.write(Buffer.alloc(sent, 0x61));
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('the disk went away');
    },
    close: async () => undefined,
    record: {} as PackageDownload['record'],
  };
}

test('a download that fails mid-body is cut off: the client gets fewer bytes than Content-Length and an aborted response', async (t) => {
  const app = Fastify();
  app.get('/file', async (request, reply) => {
    await sendStoredObject(request, reply, failingObject(100_000, 1000), { 'content-type': 'application/octet-stream' });
    return reply;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const { port } = app.server.address() as { port: number };
  const outcome = await new Promise<{ status: number; length: string | undefined; received: number; error: string }>((resolve) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/file' }, (response) => {
      let received = 0;
      response.on('data', (chunk: Buffer) => (received += chunk.length));
      response.once('error', (error) => resolve({ status: response.statusCode ?? 0, length: response.headers['content-length'], received, error: error.message }));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, length: response.headers['content-length'], received, error: '' }));
    });
    request.once('error', (error) => resolve({ status: 0, length: undefined, received: 0, error: error.message }));
    request.end();
  });
  assert.equal(outcome.status, 200);
  assert.equal(outcome.length, '100000');
  assert.equal(outcome.received, 1000, 'only what was sent before the failure');
  assert.match(outcome.error, /aborted/, 'the client sees the response cut short');
});

test('HEAD gets the headers and no body, and the object is released unread', async (t) => {
  const app = Fastify();
  let closed = 0;
  const object: PackageDownload = { ...failingObject(42, 0), close: async () => void closed++ };
  app.get('/file', async (request, reply) => {
    await sendStoredObject(request, reply, object, { etag: '"g"' });
    return reply;
  });
  t.after(() => app.close());
  const head = await app.inject({ method: 'HEAD', url: '/file' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], '42');
  assert.equal(head.headers['etag'], '"g"');
  assert.equal(head.rawPayload.length, 0);
  assert.equal(closed, 1);
});
