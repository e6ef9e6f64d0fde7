// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { inspectPackage } from '@reposign/signing';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import type { ErrorBody, SearchResults } from './documents.js';
import { API_KEY, pushBody, startTestFeed, testPackage } from './feed-fixture.js';
import { captureLog } from './log-capture.js';

test('push signs at once; the flat container serves the signed package, its nuspec and the versions index', async (t) => {
  const feed = await startTestFeed(t);
  const pushed = await feed.push(testPackage({ id: 'Contoso.Lib', version: '1.02.0.0' }));
  assert.equal(pushed.statusCode, 201, pushed.body);

  const versions = await feed.app.inject('/v3/flatcontainer/CONTOSO.LIB/index.json');
  assert.deepEqual(versions.json(), { versions: ['1.2.0'] });

  const nupkg = await feed.app.inject('/v3/flatcontainer/contoso.lib/1.2.0/contoso.lib.1.2.0.nupkg');
  assert.equal(nupkg.statusCode, 200);
  const dir = await tempDirFor(t, 'download');
  const path = join(dir, 'p.nupkg');
  await (await import('node:fs/promises')).writeFile(path, nupkg.rawPayload);
  const inspection = await inspectPackage(path);
  assert.equal(inspection.kind, 'repository');
  assert.equal(inspection.signatures[0]?.certificate?.fingerprintSha256, feed.feed.ctx.signer.certificate.fingerprintSha256);
  assert.equal(inspection.signatures[0]?.serviceIndexUrl, 'https://localhost:5000/v3/index.json');

  const nuspec = await feed.app.inject('/v3/flatcontainer/contoso.lib/1.2.0/contoso.lib.nuspec');
  assert.equal(nuspec.statusCode, 200);
  assert.match(nuspec.body, /<id>Contoso.Lib<\/id>/);
});

test('every request is logged once when it completes, a download written straight to the socket included', async (t) => {
  const log = captureLog();
  const feed = await startTestFeed(t, {}, { logStream: log.stream });
  assert.equal((await feed.push(testPackage({ id: 'Logged', version: '1.0.0' }))).statusCode, 201);
  for (const url of ['/v3/flatcontainer/logged/1.0.0/logged.1.0.0.nupkg', '/v3/flatcontainer/logged/index.json', '/v3/flatcontainer/logged/9.0.0/logged.9.0.0.nupkg']) {
    assert.notEqual((await feed.app.inject(url)).statusCode, 500, url);
  }
  const lines = log.atLeast(0) as { msg?: string; reqId?: string; res?: { statusCode?: number } }[];
  const completed = lines.filter((line) => line.msg === 'request completed');
  const completedStatuses = completed.map((line) => line.res?.statusCode);
  assert.deepEqual(completedStatuses, [201, 200, 200, 404]);
  assert.equal(new Set(completed.map((line) => line.reqId)).size, 4, 'one line per request');
});

test('a package is published alike whether received into memory (small), to a scratch file (large) or chunked, and no upload stays behind', async (t) => {
  const feed = await startTestFeed(t, { MaxPackageSizeBytes: String(8 * 1024 * 1024) });
  const dir = await tempDirFor(t, 'upload-paths');
  const uploads = [
    { id: 'Upload.Small', paddingBytes: 100 * 1024, chunked: false },
    { id: 'Upload.Large', paddingBytes: 3 * 1024 * 1024, chunked: false },
    { id: 'Upload.Chunked', paddingBytes: 100 * 1024, chunked: true },
  ];
  for (const upload of uploads) {
    const nupkg = testPackage({ id: upload.id, version: '1.0.0', paddingBytes: upload.paddingBytes });
    const { payload, headers } = pushBody(nupkg);
    // A stream body has no Content-Length: it arrives chunked, as from a client that streams.
    const body = upload.chunked ? Readable.from([payload.subarray(0, 1000), payload.subarray(1000)]) : payload;
    const pushed = await feed.app.inject({ method: 'PUT', url: '/api/v2/package', payload: body, headers: { ...headers, 'x-nuget-apikey': API_KEY } });
    assert.equal(pushed.statusCode, 201, `${upload.id}: ${pushed.body}`);
    const idLower = upload.id.toLowerCase();
    const download = await feed.app.inject(`/v3/flatcontainer/${idLower}/1.0.0/${idLower}.1.0.0.nupkg`);
    assert.equal(download.statusCode, 200);
    const path = join(dir, `${idLower}.nupkg`);
    await (await import('node:fs/promises')).writeFile(path, download.rawPayload);
    const inspection = await inspectPackage(path);
    assert.equal(inspection.kind, 'repository', upload.id);
    assert.ok(download.rawPayload.length > nupkg.length, `${upload.id}: served with a signature entry added`);
    assert.equal(download.headers['content-length'], String(download.rawPayload.length));
    assert.equal(download.headers['content-type'], 'application/octet-stream');
    const head = await feed.app.inject({ method: 'HEAD', url: `/v3/flatcontainer/${idLower}/1.0.0/${idLower}.1.0.0.nupkg` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(download.rawPayload.length), 'HEAD announces the same length');
    assert.equal(head.headers['etag'], download.headers['etag']);
    assert.equal(head.rawPayload.length, 0, 'HEAD sends no body');
  }
  assert.deepEqual(await readdir(feed.feed.ctx.store.tempDir), [], 'no upload or signed copy is left in the scratch folder');
});

test('a duplicate push is refused with 409 and leaves the first package untouched', async (t) => {
  const feed = await startTestFeed(t);
  assert.equal((await feed.push(testPackage({ id: 'Dup', version: '1.0.0' }))).statusCode, 201);
  const before = await readdir(join(feed.storage, 'packages', 'dup', '1.0.0'));
  const again = await feed.push(testPackage({ id: 'Dup', version: '1.0.0+build.7' }));
  assert.equal(again.statusCode, 409);
  assert.equal((JSON.parse(again.body) as ErrorBody).code, 'FEED_PACKAGE_EXISTS');
  assert.deepEqual(await readdir(join(feed.storage, 'packages', 'dup', '1.0.0')), before);
});

test('pushes need a configured API key: none is 401, a wrong one 403', async (t) => {
  const feed = await startTestFeed(t, { ApiKeys__1: 'sha256:' + (await import('node:crypto')).createHash('sha256').update('second').digest('hex') });
  assert.equal((await feed.push(testPackage({ id: 'Keyed', version: '1.0.0' }), '')).statusCode, 401);
  assert.equal((await feed.push(testPackage({ id: 'Keyed', version: '1.0.0' }), 'wrong')).statusCode, 403);
  assert.equal((await feed.push(testPackage({ id: 'Keyed', version: '1.0.0' }), 'second')).statusCode, 201);
});

test('every publish route needs the API key, checked before the body: none is 401, a wrong one 403', async (t) => {
  const feed = await startTestFeed(t);
  assert.equal((await feed.push(testPackage({ id: 'Guarded', version: '1.0.0' }))).statusCode, 201);
  const requests = [
    { method: 'DELETE', url: '/api/v2/package/Guarded/1.0.0' },
    { method: 'POST', url: '/api/v2/package/Guarded/1.0.0' },
    // Not multipart: a handler would answer 400; the scope's hook answers first.
    { method: 'PUT', url: '/api/v2/package', payload: 'not a package', headers: { 'content-type': 'text/plain' } },
  ] as const;
  for (const request of requests) {
    const anonymous = await feed.app.inject(request);
    assert.equal(anonymous.statusCode, 401, `${request.method} ${anonymous.body}`);
    assert.equal(anonymous.json<ErrorBody>().code, 'FEED_UNAUTHORIZED');
    const wrong = await feed.app.inject({ ...request, headers: { ...('headers' in request ? request.headers : {}), 'x-nuget-apikey': 'wrong' } });
    assert.equal(wrong.statusCode, 403, request.method);
  }
  const search = (await feed.app.inject('/v3/search?q=guarded')).json<SearchResults>();
  assert.equal(search.totalHits, 1, 'still listed');
});

test('more concurrent pushes and downloads than the buffer pools keep: every package is signed from its own bytes and served whole', async (t) => {
  const feed = await startTestFeed(t);
  // 10 pushes at once (4 upload buffers are kept), then 40 downloads at once (8 download buffers of
  // 1 MiB are kept): packages under 1 MiB take one buffer each, the larger ones two.
  const packages = Array.from({ length: 10 }, (_, i) => ({
    id: `Pool.Package${i}`,
    nupkg: testPackage({ id: `Pool.Package${i}`, version: '1.0.0', paddingBytes: (i % 2 === 0 ? 300 * 1024 : 1100 * 1024) + i }),
  }));
  const pushed = await Promise.all(packages.map(({ nupkg }) => feed.push(nupkg)));
  assert.deepEqual(pushed.map((response) => response.statusCode), packages.map(() => 201));
  const downloads = await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const { id, nupkg } = packages[i % packages.length] ?? { id: '', nupkg: Buffer.alloc(0) };
      const idLower = id.toLowerCase();
      const response = await feed.app.inject(`/v3/flatcontainer/${idLower}/1.0.0/${idLower}.1.0.0.nupkg`);
      return { nupkg, response };
    }),
  );
  for (const { nupkg, response } of downloads) {
    assert.equal(response.statusCode, 200);
    assert.equal(response.rawPayload.length, Number(response.headers['content-length']));
    // An unsigned package's local entries are kept byte for byte ahead of the signature entry.
    const centralDirectory = nupkg.readUInt32LE(nupkg.length - 22 + 16);
    assert.ok(response.rawPayload.subarray(0, centralDirectory).equals(nupkg.subarray(0, centralDirectory)), 'the served package holds its own upload, unmixed');
  }
  assert.deepEqual(await readdir(feed.feed.ctx.store.tempDir), []);
});
