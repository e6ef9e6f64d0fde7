// SPDX-License-Identifier: MIT
// SIGTERM during an upload: the upload finishes (201), new requests are refused, the process exits 0.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { pushBody, testPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { freePort, startFeedProcess } from '../helpers/feed-process.js';

test('graceful shutdown finishes an in-flight upload', { timeout: 120_000 }, async (t) => {
  const dir = await tempDirFor(t, 'feed-shutdown');
  const port = await freePort();
  const feed = await startFeedProcess(
    { Urls: `http://127.0.0.1:${port}`, ApiKeys__0: 'k', Storage__Path: join(dir, 'data'), Signing__TimestampServerUrl: '', Signing__SelfSigned__KeySize: '2048' },
    dir,
  );
  t.after(() => feed.stop());
  const { payload, headers } = pushBody(testPackage({ id: 'Slow.Upload', version: '1.0.0', paddingBytes: 512 * 1024 }));
  const status = new Promise<number>((resolve, reject) => {
    const upload = request(
      { host: '127.0.0.1', port, method: 'PUT', path: '/api/v2/package', headers: { ...headers, 'content-length': payload.length, 'x-nuget-apikey': 'k' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    upload.on('error', reject);
    // Send half, let the signal arrive, then send the rest.
    upload.write(payload.subarray(0, payload.length / 2));
    setTimeout(() => {
      feed.child.kill('SIGTERM');
      setTimeout(() => upload.end(payload.subarray(payload.length / 2)), 500);
    }, 300);
  });
  assert.equal(await status, 201);
  assert.equal(await feed.stop(), 0);
  assert.match(feed.stdout(), /reposign feed ready/);
});
