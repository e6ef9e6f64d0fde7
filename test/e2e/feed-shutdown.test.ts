// SPDX-License-Identifier: MIT
// SIGTERM during an upload: readiness turns 503 first while the listener still accepts (the drain),
// the upload finishes (201), then the listener closes and the process exits 0.

import assert from 'node:assert/strict';
import { get, request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { pushBody, testPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { freePort, startSeededFeedProcess, waitForOutput } from '../helpers/feed-process.js';

test('graceful shutdown finishes an in-flight upload', { timeout: 120_000 }, async (t) => {
  const dir = await tempDirFor(t, 'feed-shutdown');
  const port = await freePort();
  const feed = await startSeededFeedProcess(
    { Urls: `http://127.0.0.1:${port}`, ApiKeys__0: 'k', Storage__Path: join(dir, 'data'), Signing__TimestampServerUrl: '', Signing__SelfSigned__KeySize: '2048' },
    dir,
  );
  t.after(() => feed.stop());
  const upload = startHalfUpload(port, testPackage({ id: 'Slow.Upload', version: '1.0.0', paddingBytes: 512 * 1024 }));
  // Let the signal arrive between the halves.
  setTimeout(() => {
    feed.child.kill('SIGTERM');
    setTimeout(upload.finish, 500);
  }, 300);
  assert.equal(await upload.status, 201);
  assert.equal(await feed.stop(), 0);
  assert.match(feed.stdout(), /reposign feed ready/);
});

/** Starts a push of `nupkg` and sends half its body; `finish` sends the rest, `status` is the answer. */
function startHalfUpload(port: number, nupkg: Buffer): { status: Promise<number>; finish: () => void } {
  const { payload, headers } = pushBody(nupkg);
  let finish = (): void => undefined;
  const status = new Promise<number>((resolve, reject) => {
    const upload = request(
      { host: '127.0.0.1', port, method: 'PUT', path: '/api/v2/package', headers: { ...headers, 'content-length': payload.length, 'x-nuget-apikey': 'k' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    upload.on('error', reject);
    upload.write(payload.subarray(0, payload.length / 2));
    finish = () => upload.end(payload.subarray(payload.length / 2));
  });
  return { status, finish };
}

/** GETs `path` on a new connection and returns the status. */
async function statusOf(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

test('SIGTERM turns readiness off while the listener still accepts, then finishes in-flight uploads', { timeout: 180_000 }, async (t) => {
  const dir = await tempDirFor(t, 'feed-drain');
  const port = await freePort();
  const feed = await startSeededFeedProcess(
    { Urls: `http://127.0.0.1:${port}`, ApiKeys__0: 'k', Storage__Path: join(dir, 'data'), Signing__TimestampServerUrl: '', Signing__SelfSigned__KeySize: '2048', ShutdownDrainSeconds: '4' },
    dir,
    120_000,
  );
  t.after(() => feed.stop());
  assert.equal(await statusOf(port, '/health/ready'), 200);
  const upload = startHalfUpload(port, testPackage({ id: 'Drain.Upload', version: '1.0.0', paddingBytes: 256 * 1024 }));
  const exited = new Promise<number | null>((resolve) => feed.child.once('exit', resolve));
  feed.child.kill('SIGTERM');
  await waitForOutput(feed, /readiness is off/, 10_000);
  // During the drain: not ready, still live, and new connections are still served.
  assert.equal(await statusOf(port, '/health/ready'), 503);
  assert.equal(await statusOf(port, '/health/live'), 200);
  upload.finish();
  assert.equal(await upload.status, 201);
  assert.equal(feed.child.exitCode, null, 'the process waits for the drain delay before closing');
  assert.equal(await exited, 0);
  assert.ok(feed.stdout().indexOf('readiness is off') < feed.stdout().indexOf('listener closed'));
});
