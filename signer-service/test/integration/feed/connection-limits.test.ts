// SPDX-License-Identifier: MIT
// Nobody holds the door open: raw `node:net` clients that stall or trickle a body are cut off, a
// client refused for its key gets its 401 and the connection closes without the body being read,
// and connections beyond Limits:MaxConnections are closed at once. Bounds are generous: the
// configured timeouts are a fraction of a second, the assertions allow seconds.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_KEY, startTestFeed, type TestFeed } from './feed-fixture.js';

const BOUND_MS = 10_000;

async function listening(feed: TestFeed): Promise<number> {
  await feed.app.listen({ host: '127.0.0.1', port: 0 });
  return (feed.app.server.address() as { port: number }).port;
}

/** A raw client: what it received, and a promise settled when the server closed the connection. */
async function client(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const started = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

/** Resolves with the close time, or fails when the server still holds the connection after the bound. */
async function closedWithin(closed: Promise<number>, what: string): Promise<number> {
  const timeout = sleep(BOUND_MS).then(() => -1);
  const elapsed = await Promise.race([closed, timeout]);
  assert.notEqual(elapsed, -1, `${what}: the server held the connection for more than ${BOUND_MS} ms`);
  return elapsed;
}

function pushHead(length: number, apiKey?: string): string {
  return [
    'PUT /api/v2/package HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: multipart/form-data; boundary=x',
    `Content-Length: ${length}`,
    ...(apiKey === undefined ? [] : [`X-NuGet-ApiKey: ${apiKey}`]),
    '',
    '',
  ].join('\r\n');
}

test('a stalled body and a trickled body are cut off; a faster body is not', async (t) => {
  const feed = await startTestFeed(t, { Limits__BodyIdleTimeoutSeconds: '0.5', Limits__BodyMinBytesPerSecond: '2000', Limits__BodyMinRateWindowSeconds: '0.8' });
  const port = await listening(feed);

  const stalled = await client(port);
  stalled.socket.write(`${pushHead(100_000, API_KEY)}--x\r\n`);
  await closedWithin(stalled.closed, 'stalled body');
  assert.match(stalled.received(), /^HTTP\/1\.1 408 /);

  const trickle = await client(port);
  trickle.socket.write(pushHead(100_000, API_KEY));
  const timer = setInterval(() => trickle.socket.write('x'.repeat(20)), 50);
  const elapsed = await closedWithin(trickle.closed, 'trickled body (400 bytes/s)');
  clearInterval(timer);
  assert.match(trickle.received(), /^HTTP\/1\.1 408 /);
  // The idle timeout never fired (bytes kept coming): the rate check did, after its window.
  assert.ok(elapsed >= 800, `closed after ${elapsed} ms, before the rate window`);

  // A body sent at a normal pace is read to its end and answered (400: not a package).
  const fine = await client(port);
  const body = `--x\r\nContent-Disposition: form-data; name="package"; filename="p.nupkg"\r\n\r\n${'y'.repeat(3000)}\r\n--x--\r\n`;
  fine.socket.write(pushHead(body.length, API_KEY));
  for (let offset = 0; offset < body.length; offset += 1000) {
    fine.socket.write(body.slice(offset, offset + 1000));
    await sleep(100);
  }
  while (!/\r\n\r\n/.test(fine.received())) await sleep(20);
  assert.match(fine.received(), /^HTTP\/1\.1 400 /);
  fine.socket.destroy();
});

test('a push refused for its key gets 401 or 403 and the connection closes without reading the body', async (t) => {
  const feed = await startTestFeed(t);
  const port = await listening(feed);
  for (const key of [undefined, 'wrong-key']) {
    const refused = await client(port);
    // Declares 50 MB, sends a few bytes and keeps its side open, as a client trickling an upload would.
    refused.socket.write(`${pushHead(50_000_000, key)}--x\r\n`);
    await closedWithin(refused.closed, `push with key ${String(key)}`);
    assert.match(refused.received(), key === undefined ? /^HTTP\/1\.1 401 / : /^HTTP\/1\.1 403 /);
    assert.match(refused.received(), /\r\nconnection: close\r\n/i);
  }
});

test('connections beyond Limits:MaxConnections are closed at once', async (t) => {
  const feed = await startTestFeed(t, { Limits__MaxConnections: '2' });
  const port = await listening(feed);
  const live = 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const held = [await client(port), await client(port)];
  for (const open of held) {
    open.socket.write(live);
    while (!/"live"/.test(open.received())) await sleep(20);
  }
  const extra = await client(port);
  extra.socket.write(live);
  await closedWithin(extra.closed, 'connection over the cap');
  assert.equal(extra.received(), '');
  // A held connection is still served, and a slot freed is usable again.
  held[0]?.socket.write(live);
  while ((held[0]?.received().match(/"live"/g) ?? []).length < 2) await sleep(20);
  held[1]?.socket.destroy();
  await held[1]?.closed;
  await sleep(100);
  const next = await client(port);
  next.socket.write(live);
  while (!/"live"/.test(next.received())) await sleep(20);
  for (const open of [held[0], next]) open?.socket.destroy();
});
