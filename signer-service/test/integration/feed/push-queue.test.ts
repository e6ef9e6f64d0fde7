// SPDX-License-Identifier: MIT
// Limits:MaxConcurrentPushes over real sockets: a push beyond the limit waits, unread, until one in
// progress ends, however much longer that takes than the body timeouts; a push whose client leaves
// while it waits holds no slot and stores nothing.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { API_KEY, pushBody, startTestFeed, testPackage } from './feed-fixture.js';

type TestContext = Parameters<typeof startTestFeed>[0];

async function listeningFeed(t: TestContext, maxConcurrentPushes: number): Promise<{ port: number; feed: Awaited<ReturnType<typeof startTestFeed>> }> {
  const feed = await startTestFeed(t, {
    Limits__MaxConcurrentPushes: String(maxConcurrentPushes),
    // Far shorter than the wait below: a waiting push must not be timed out for the feed's own delay.
    Limits__BodyIdleTimeoutSeconds: '0.4',
    Limits__BodyMinBytesPerSecond: '0',
  });
  await feed.app.listen({ host: '127.0.0.1', port: 0 });
  return { port: (feed.app.server.address() as { port: number }).port, feed };
}

/** A raw push on its own connection: the request head, then the body as the caller sends it. */
interface RawPush {
  readonly socket: Socket;
  readonly body: Buffer;
  /** The status line's code once the server closed the connection, and when it answered. */
  readonly answered: Promise<{ status: number; at: number }>;
}

function startPush(port: number, id: string): RawPush {
  const { payload, headers } = pushBody(testPackage({ id, version: '1.0.0', paddingBytes: 64 * 1024 }));
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const answered = new Promise<{ status: number; at: number }>((resolve) => {
    socket.once('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), at: performance.now() }));
  });
  socket.write(
    [
      'PUT /api/v2/package HTTP/1.1',
      'Host: 127.0.0.1',
      'Connection: close',
      `X-NuGet-ApiKey: ${API_KEY}`,
      `Content-Type: ${headers['content-type']}`,
      `Content-Length: ${payload.length}`,
      '',
      '',
    ].join('\r\n'),
  );
  return { socket, body: payload, answered };
}

/** Sends the body in 8 pieces, `gapMs` apart: each gap is under the body idle timeout. */
async function trickle(push: RawPush, gapMs: number): Promise<void> {
  const piece = Math.ceil(push.body.length / 8);
  for (let at = 0; at < push.body.length; at += piece) {
    push.socket.write(push.body.subarray(at, at + piece));
    await sleep(gapMs);
  }
}

async function versionsOf(feed: Awaited<ReturnType<typeof startTestFeed>>, id: string): Promise<number> {
  return (await feed.app.inject({ method: 'GET', url: `/v3/flatcontainer/${id}/index.json` })).statusCode;
}

test('with MaxConcurrentPushes=1 a second push waits for the first, past the body idle timeout, and both are published', { timeout: 60_000 }, async (t) => {
  const { port, feed } = await listeningFeed(t, 1);
  const slow = startPush(port, 'Queue.Slow');
  const trickling = trickle(slow, 150);
  // The slow push holds the slot once its first piece is read.
  await sleep(100);
  const started = performance.now();
  const quick = startPush(port, 'Queue.Quick');
  quick.socket.write(quick.body);
  await sleep(200);
  assert.match((await feed.app.inject('/metrics')).body, /^reposign_pushes_waiting 1$/m, 'the waiting push is counted');
  await trickling;
  const [first, second] = await Promise.all([slow.answered, quick.answered]);
  assert.equal(first.status, 201, 'the slow push is published');
  assert.equal(second.status, 201, 'the waiting push is published, not timed out (408) while it waited');
  assert.ok(second.at >= first.at, 'the waiting push is answered after the one holding the slot');
  assert.ok(second.at - started > 800, `it waited (${Math.round(second.at - started)} ms), longer than the 400 ms body idle timeout`);
  assert.equal(await versionsOf(feed, 'queue.slow'), 200);
  assert.equal(await versionsOf(feed, 'queue.quick'), 200);
  assert.match((await feed.app.inject('/metrics')).body, /^reposign_pushes_waiting 0$/m);
});

test('without a limit the same quick push does not wait for the slow one', { timeout: 60_000 }, async (t) => {
  const { port } = await listeningFeed(t, 0);
  const slow = startPush(port, 'Free.Slow');
  const trickling = trickle(slow, 150);
  await sleep(100);
  const quick = startPush(port, 'Free.Quick');
  quick.socket.write(quick.body);
  const second = await quick.answered;
  await trickling;
  const first = await slow.answered;
  assert.deepEqual([first.status, second.status], [201, 201]);
  assert.ok(second.at < first.at, 'the quick push is answered while the slow one is still arriving');
});

test('a push whose client leaves while it waits holds no slot and stores nothing', { timeout: 60_000 }, async (t) => {
  const { port, feed } = await listeningFeed(t, 1);
  const slow = startPush(port, 'Leave.Slow');
  const trickling = trickle(slow, 100);
  await sleep(100);
  const leaving = startPush(port, 'Leave.Gone');
  leaving.socket.write(leaving.body.subarray(0, 1000));
  await sleep(200);
  leaving.socket.destroy();
  await trickling;
  assert.equal((await slow.answered).status, 201);
  // Had the departed push kept a slot, this one would wait forever.
  const next = startPush(port, 'Leave.Next');
  next.socket.write(next.body);
  assert.equal((await next.answered).status, 201);
  assert.equal(await versionsOf(feed, 'leave.gone'), 404, 'nothing of the departed push is stored');
});
