// SPDX-License-Identifier: MIT
// The public address is never guessed: listening beyond loopback without PublicBaseUrl exits 78 with
// one sentence; on loopback the feed says which address it uses and where it came from, and a
// forged Host is refused rather than written into documents.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { freePort, runFeedProcessToExit, startSeededFeedProcess } from '../helpers/feed-process.js';

/** The status of a GET sent with the given Host header. */
function statusWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    sent.on('error', reject);
    sent.end();
  });
}

test('listening on 0.0.0.0 without PublicBaseUrl exits 78 naming the cause; loopback prints its public address', { timeout: 240_000 }, async (t) => {
  const dir = await tempDirFor(t, 'feed-public-address');
  const base = { Storage__Path: join(dir, 'data'), Signing__TimestampServerUrl: '', Signing__SelfSigned__KeySize: '2048' };
  const port = await freePort();

  const refused = await runFeedProcessToExit({ ...base, Urls: `http://0.0.0.0:${port}` }, dir);
  assert.equal(refused.code, 78, refused.stderr);
  assert.match(refused.stderr, /PublicBaseUrl: must be set because Urls listens beyond loopback \(http:\/\/0\.0\.0\.0:\d+\)/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');

  // From the sources, as `npm run dev` runs it on a developer's machine; the other tests run the build.
  const feed = await startSeededFeedProcess({ ...base, Urls: `http://127.0.0.1:${port}` }, dir, 60_000, 'source');
  t.after(() => feed.stop());
  assert.match(feed.stdout(), new RegExp(`public address: http://127\\.0\\.0\\.1:${port} \\(PublicBaseUrl is unset: the listen address, accepted because it is loopback only\\)`));
  // node:http, because fetch does not send a Host header of the caller's choosing.
  assert.equal(await statusWithHost(port, '/v3/index.json', 'evil.example'), 421);
  const index = (await (await fetch(`http://127.0.0.1:${port}/v3/index.json`)).json()) as { resources: { '@id': string }[] };
  assert.ok(index.resources.every((resource) => resource['@id'].startsWith(`http://127.0.0.1:${port}/`)));
  assert.equal(await feed.stop(), 0);

  const published = await startSeededFeedProcess({ ...base, Urls: `http://127.0.0.1:${port}`, PublicBaseUrl: 'https://nuget.example/feed' }, dir);
  t.after(() => published.stop());
  assert.match(published.stdout(), /public address: https:\/\/nuget\.example\/feed \(from PublicBaseUrl\)/);
  assert.match(published.stdout(), /reposign feed ready: https:\/\/nuget\.example\/feed\/v3\/index\.json/);
});
