// SPDX-License-Identifier: MIT
// Oversized uploads over a real socket: a declared Content-Length over the limit gets 413 before any
// body byte is read; a chunked body is cut off once it passes the limit, not read to its end.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { API_KEY, startTestFeed } from './feed-fixture.js';

const LIMIT = 100_000;
const BOUNDARY = 'limit-test';

async function listeningFeed(t: Parameters<typeof startTestFeed>[0]): Promise<{ port: number; storage: string }> {
  const feed = await startTestFeed(t, { MaxPackageSizeBytes: String(LIMIT) });
  await feed.app.listen({ host: '127.0.0.1', port: 0 });
  return { port: (feed.app.server.address() as { port: number }).port, storage: feed.storage };
}

/** Collects what the server sends until it closes the connection (or it is reset). */
function responseOf(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  return new Promise((resolve) => {
    socket.once('close', () => resolve(received));
  });
}

function head(lines: readonly string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const partHead = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="package"; filename="p.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`;

test('a declared Content-Length over the limit gets 413 without the body being sent', async (t) => {
  const { port } = await listeningFeed(t);
  const socket = connect(port, '127.0.0.1');
  const response = responseOf(socket);
  // Headers only: the server must answer without waiting for the 50 MB it was promised.
  socket.write(
    head([
      'PUT /api/v2/package HTTP/1.1',
      'Host: 127.0.0.1',
      `X-NuGet-ApiKey: ${API_KEY}`,
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
      `Content-Length: ${50 * 1024 * 1024}`,
    ]),
  );
  const text = await response;
  assert.match(text, /^HTTP\/1\.1 413 /);
  assert.match(text, /connection: close/i);
  assert.match(text, /FEED_PACKAGE_TOO_LARGE/);
});

test('without a key the declared length does not matter: 401 first', async (t) => {
  const { port } = await listeningFeed(t);
  const socket = connect(port, '127.0.0.1');
  const response = responseOf(socket);
  socket.write(head(['PUT /api/v2/package HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', `Content-Type: multipart/form-data; boundary=${BOUNDARY}`, `Content-Length: ${50 * 1024 * 1024}`]));
  setTimeout(() => socket.end(), 2000).unref();
  assert.match(await response, /^HTTP\/1\.1 401 /);
});

test('a chunked body over the limit is cut off, not read to its end, and stores nothing', async (t) => {
  const { port, storage } = await listeningFeed(t);
  const socket = connect(port, '127.0.0.1');
  const response = responseOf(socket);
  socket.on('error', () => undefined);
  socket.write(
    head(['PUT /api/v2/package HTTP/1.1', 'Host: 127.0.0.1', `X-NuGet-ApiKey: ${API_KEY}`, `Content-Type: multipart/form-data; boundary=${BOUNDARY}`, 'Transfer-Encoding: chunked']),
  );
  const chunk = (data: Buffer): Buffer => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
  socket.write(chunk(Buffer.from(partHead)));
  // Offer 256 MB, 64 KB at a time, waiting for each write to drain: a server that reads to the end
  // takes it all; one that cuts off stops us after the limit plus what the socket buffers hold.
  const total = 256 * 1024 * 1024;
  const piece = chunk(Buffer.alloc(64 * 1024, 0x61));
  let sent = 0;
  let closed = false;
  socket.once('close', () => (closed = true));
  while (sent < total && !closed && socket.writable) {
    const flushed = socket.write(piece);
    sent += piece.length;
    if (!flushed) await new Promise<void>((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)));
  }
  const text = await response;
  assert.ok(sent < 64 * 1024 * 1024, `the server read ${sent} bytes of a body over a ${LIMIT}-byte limit`);
  assert.match(text, /^HTTP\/1\.1 413 /);
  const stored = await readdir(join(storage, 'packages'), { recursive: true }).catch(() => []);
  assert.deepEqual(stored.filter((name) => name.endsWith('.nupkg')), []);
});
