// SPDX-License-Identifier: MIT
// kill -9 of a real feed process in the middle of a 100 MB push and in the middle of an on-demand
// signing: after a restart nothing partial is visible, nothing is left in scratch or storage, and
// the retry succeeds with exactly one stored copy.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { buildZip } from '../../signing/test/helpers/zip-builder.js';
import { nuspecXml, pushBody, testPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { freePort, startSeededFeedProcess, type FeedProcess } from '../helpers/feed-process.js';

const KEY = 'k';
const LARGE = 100 * 1024 * 1024;

/** A 100 MB package (stored entry, so it is built fast). */
function largePackage(id: string): Buffer {
  return Buffer.from(
    buildZip([
      { name: `${id}.nuspec`, data: Buffer.from(nuspecXml({ id, version: '1.0.0' })), method: 8, utf8: true },
      { name: 'content/large.bin', data: new Uint8Array(LARGE).fill(0x5a), method: 0, utf8: true },
    ]).bytes,
  );
}

async function start(t: TestContext, data: string, signOnPush: boolean): Promise<{ feed: FeedProcess; base: string; port: number }> {
  const port = await freePort();
  const feed = await startSeededFeedProcess(
    {
      Urls: `http://127.0.0.1:${port}`,
      ApiKeys__0: KEY,
      Storage__Path: data,
      Signing__TimestampServerUrl: '',
      Signing__SelfSigned__KeySize: '2048',
      Signing__SignOnPush: String(signOnPush),
      MaxPackageSizeBytes: String(2 * LARGE),
    },
    data,
    180_000,
  );
  t.after(() => feed.stop());
  return { feed, base: `http://127.0.0.1:${port}`, port };
}

/** Sends `bytes` as a push; when `stallAfter` is given, sends only that many bytes and never ends. */
function pushRaw(port: number, nupkg: Buffer, stallAfter?: number): Promise<number> {
  const { payload, headers } = pushBody(nupkg);
  return new Promise((resolve, reject) => {
    const upload = request({ host: '127.0.0.1', port, method: 'PUT', path: '/api/v2/package', headers: { ...headers, 'content-length': payload.length, 'x-nuget-apikey': KEY } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    upload.on('error', reject);
    if (stallAfter === undefined) upload.end(payload);
    else upload.write(payload.subarray(0, stallAfter));
  });
}

/** Files below `dir` (relative), or [] when it does not exist. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

/** Polls until a scratch file matching `pattern` reaches `minBytes`. */
async function waitForScratch(data: string, pattern: RegExp, minBytes: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    for (const name of await files(join(data, 'tmp'))) {
      if (pattern.test(name) && ((await stat(join(data, 'tmp', name)).catch(() => undefined))?.size ?? 0) >= minBytes) return;
    }
    await sleep(10);
  }
  assert.fail(`no scratch file matching ${pattern} reached ${minBytes} bytes`);
}

async function killHard(feed: FeedProcess): Promise<void> {
  const exited = new Promise((resolve) => feed.child.once('exit', resolve));
  feed.child.kill('SIGKILL');
  await exited;
}

/** Only the running process's own (empty) scratch folder and its owner file are left. */
async function assertScratchClean(data: string): Promise<void> {
  const left = await files(join(data, 'tmp'));
  assert.equal(left.filter((name) => name.endsWith('.owner.json')).length, 1, `scratch: ${left.join(', ')}`);
  assert.deepEqual(left.filter((name) => !name.endsWith('.owner.json')), [], 'no scratch file of the killed process is left');
}

test('kill -9 during a 100 MB push: nothing partial, no leak after restart, the retry stores one copy', { timeout: 600_000 }, async (t) => {
  const data = join(await tempDirFor(t, 'kill-push'), 'data');
  const first = await start(t, data, true);
  // A feed that holds a package already (an empty database beside stored packages is a lost one).
  assert.equal(await pushRaw(first.port, testPackage({ id: 'Seed.Pkg', version: '1.0.0' })), 201);
  const nupkg = largePackage('Big.Pkg');
  void pushRaw(first.port, nupkg, 60 * 1024 * 1024).catch(() => 0);
  await waitForScratch(data, /\.upload\.nupkg$/, 40 * 1024 * 1024);
  await killHard(first.feed);

  const second = await start(t, data, true);
  await assertScratchClean(data);
  assert.equal((await fetch(`${second.base}/v3/flatcontainer/big.pkg/index.json`)).status, 404, 'the partial push is not visible');
  assert.deepEqual(await files(join(data, 'packages', 'big.pkg')), []);
  assert.equal(await pushRaw(second.port, nupkg), 201);
  assert.equal((await files(join(data, 'packages', 'big.pkg'))).length, 1, 'one stored copy');
  const download = await fetch(`${second.base}/v3/flatcontainer/big.pkg/1.0.0/big.pkg.1.0.0.nupkg`);
  assert.equal(download.status, 200);
  assert.ok((await download.arrayBuffer()).byteLength > nupkg.length, 'served signed');
});

test('kill -9 during an on-demand signing: the original stays, no leak after restart, the next download signs once', { timeout: 600_000 }, async (t) => {
  const data = join(await tempDirFor(t, 'kill-sign'), 'data');
  const first = await start(t, data, false);
  const nupkg = largePackage('Lazy.Pkg');
  assert.equal(await pushRaw(first.port, nupkg), 201);
  const stored = await files(join(data, 'packages', 'lazy.pkg'));
  assert.equal(stored.length, 1);
  const url = '/v3/flatcontainer/lazy.pkg/1.0.0/lazy.pkg.1.0.0.nupkg';
  void fetch(`${first.base}${url}`).catch(() => undefined);
  // The engine writes the signed copy into the scratch folder before it moves it in.
  await waitForScratch(data, /\.signed\.nupkg/, 1);
  await killHard(first.feed);

  const second = await start(t, data, false);
  await assertScratchClean(data);
  assert.deepEqual(await files(join(data, 'packages', 'lazy.pkg')), stored, 'only the original is stored');
  const download = await fetch(`${second.base}${url}`);
  assert.equal(download.status, 200);
  assert.ok((await download.arrayBuffer()).byteLength > nupkg.length, 'served signed');
  const after = await files(join(data, 'packages', 'lazy.pkg'));
  assert.equal(after.length, 1, `one stored copy: ${after.join(', ')}`);
  assert.notDeepEqual(after, stored, 'the signed copy replaced the original');
});
