// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { packagesRepository } from '../../../src/db/packages-repository.js';
import type { ErrorBody, SearchResults } from './documents.js';
import { API_KEY, nuspecXml, pushBody, startTestFeed, testPackage, zip } from './feed-fixture.js';

async function storedFiles(storage: string): Promise<string[]> {
  const names = await readdir(join(storage, 'packages'), { recursive: true }).catch(() => []);
  return names.filter((name) => name.endsWith('.nupkg'));
}

test('bad pushes get a clear 4xx and store nothing', async (t) => {
  const feed = await startTestFeed(t, { MaxPackageSizeBytes: '100000' });
  const cases: Record<string, { payload: Buffer; headers: Record<string, string>; status: number; code: string }> = {
    'not multipart': { payload: testPackage({ id: 'A', version: '1.0.0' }), headers: { 'content-type': 'application/octet-stream' }, status: 400, code: 'FEED_BAD_REQUEST' },
    'malformed multipart': {
      payload: Buffer.from('--x\r\nContent-Disposition: form-data; name="package"; filename="p.nupkg"\r\n\r\nabc'),
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      status: 400,
      code: 'FEED_BAD_REQUEST',
    },
    'not a zip': { ...pushBody(Buffer.from('this is not a zip file at all')), status: 400, code: 'ARCHIVE_NOT_ZIP' },
    oversize: { ...pushBody(testPackage({ id: 'Big', version: '1.0.0', paddingBytes: 150_000 })), status: 413, code: 'FEED_PACKAGE_TOO_LARGE' },
    'invalid id': { ...pushBody(testPackage({ id: 'bad id!', version: '1.0.0' })), status: 400, code: 'NUSPEC_INVALID' },
    'invalid version': { ...pushBody(testPackage({ id: 'Good', version: '1.0.0.0.0' })), status: 400, code: 'NUSPEC_INVALID' },
    'no nuspec': { ...pushBody(zip([{ name: 'lib/x.dll', data: Buffer.from('x') }])), status: 400, code: 'NUSPEC_MISSING' },
    'zip slip entry': {
      ...pushBody(
        zip([
          { name: 'Slip.nuspec', data: Buffer.from(nuspecXml({ id: 'Slip', version: '1.0.0' }), 'utf8') },
          { name: 'lib/../../evil.txt', data: Buffer.from('x') },
        ]),
      ),
      status: 400,
      code: 'ARCHIVE_UNSAFE_ENTRY',
    },
    'nuspec with a DTD (external entity)': {
      ...pushBody(
        testPackage({
          id: 'Xxe',
          version: '1.0.0',
          nuspec: '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY x SYSTEM "file:///etc/passwd">]><package><metadata><id>Xxe</id><version>1.0.0</version><description>&x;</description></metadata></package>',
        }),
      ),
      status: 400,
      code: 'NUSPEC_INVALID',
    },
    'nuspec with malformed attributes': {
      ...pushBody(testPackage({ id: 'Attr', version: '1.0.0', nuspec: '<package><metadata><id>Attr</id><version>1.0.0</version><dependencies><dependency id=Dep /></dependencies></metadata></package>' })),
      status: 400,
      code: 'NUSPEC_INVALID',
    },
    'nuspec without metadata': {
      ...pushBody(testPackage({ id: 'Empty', version: '1.0.0', nuspec: '<package><metadata><id>Empty</id></metadata></package>' })),
      status: 400,
      code: 'NUSPEC_INVALID',
    },
  };
  for (const [name, { payload, headers, status, code }] of Object.entries(cases)) {
    const response = await feed.app.inject({ method: 'PUT', url: '/api/v2/package', payload, headers: { ...headers, 'x-nuget-apikey': API_KEY } });
    assert.equal(response.statusCode, status, `${name}: ${response.body}`);
    const body = response.json<ErrorBody>();
    assert.equal(body.code, code, name);
    assert.ok(body.message.length > 10, name);
  }
  assert.deepEqual(await storedFiles(feed.storage), []);
  assert.deepEqual(await readdir(feed.feed.ctx.store.tempDir), []);
  assert.deepEqual(await packagesRepository(feed.feed.ctx.db).query({ text: '', includePrerelease: true, includeSemVer2: true, idPrefix: false }), []);
});

test('a failed signing leaves nothing stored, indexed or searchable', async (t) => {
  // An unreachable TSA makes every signing fail after the package was validated.
  const feed = await startTestFeed(t, { Signing__TimestampServerUrl: 'http://127.0.0.1:9/tsa' });
  const response = await feed.push(testPackage({ id: 'Unsignable', version: '1.0.0' }));
  assert.equal(response.statusCode, 503, response.body);
  const body = JSON.parse(response.body) as ErrorBody;
  assert.equal(body.code, 'FEED_SIGNING_UNAVAILABLE');
  assert.match(body.message, /Unsignable 1\.0\.0 was not published: this feed could not repository-sign it/);
  assert.equal(response.headers['retry-after'], '30');
  assert.deepEqual(await storedFiles(feed.storage), []);
  const search = (await feed.app.inject('/v3/search?q=unsignable')).json<SearchResults>();
  assert.equal(search.totalHits, 0);
  assert.equal((await feed.app.inject('/v3/flatcontainer/unsignable/index.json')).statusCode, 404);
});
