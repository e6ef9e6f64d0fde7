// SPDX-License-Identifier: MIT
// Hostile requests: control characters and over-long ids and versions on every route get 400 before
// any database or file system call (and no error log line); a forged Host never changes an @id;
// wrong API keys are rate-limited per client address; unlist and relist need a key.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorBody, SearchResults, ServiceIndex } from './documents.js';
import { API_KEY, startTestFeed, testPackage } from './feed-fixture.js';
import { captureLog } from './log-capture.js';

const LONG_ID = `A${'b'.repeat(100)}`;
const LONG_VERSION = `1.0.0-${'a'.repeat(59)}`;

test('control characters and over-long ids and versions get 400 on every route, with no error log', async (t) => {
  const log = captureLog();
  const feed = await startTestFeed(t, {}, { logStream: log.stream });
  assert.equal((await feed.push(testPackage({ id: 'Real', version: '1.0.0' }))).statusCode, 201);
  assert.equal(LONG_VERSION.length, 65);
  const key = { 'x-nuget-apikey': API_KEY };
  const requests: { method: 'GET' | 'DELETE' | 'POST'; url: string }[] = [];
  for (const bad of ['%00', '%01x', 'a%0Ab', 'a%7F', LONG_ID, 'bad%20id']) {
    requests.push(
      { method: 'GET', url: `/v3/flatcontainer/${bad}/index.json` },
      { method: 'GET', url: `/v3/flatcontainer/${bad}/1.0.0/x.nupkg` },
      { method: 'GET', url: `/v3/registration/${bad}/index.json` },
      { method: 'GET', url: `/v3/registration-semver2/${bad}/1.0.0.json` },
      { method: 'GET', url: `/v3/registration/${bad}/page/1.0.0/2.0.0.json` },
      { method: 'GET', url: `/v3/autocomplete?id=${bad}` },
      { method: 'DELETE', url: `/api/v2/package/${bad}/1.0.0` },
      { method: 'POST', url: `/api/v2/package/${bad}/1.0.0` },
    );
  }
  for (const bad of ['%00', '1.0.0%00', '1.0.0-a%0Db', LONG_VERSION, '1.0.0.0.0']) {
    requests.push(
      { method: 'GET', url: `/v3/flatcontainer/real/${bad}/real.1.0.0.nupkg` },
      { method: 'GET', url: `/v3/flatcontainer/real/${bad}/real.nuspec` },
      { method: 'GET', url: `/v3/registration/real/${bad}.json` },
      { method: 'GET', url: `/v3/registration-semver2/real/page/${bad}/2.0.0.json` },
      { method: 'GET', url: `/v3/registration-semver2/real/page/1.0.0/${bad}.json` },
      { method: 'DELETE', url: `/api/v2/package/Real/${bad}` },
      { method: 'POST', url: `/api/v2/package/Real/${bad}` },
    );
  }
  requests.push(
    { method: 'GET', url: '/v3/flatcontainer/real/1.0.0/real%00.nupkg' },
    { method: 'GET', url: '/v3/search?q=%00' },
    { method: 'GET', url: '/v3/search?q=a%1Bb' },
    { method: 'GET', url: `/v3/search?q=${'x'.repeat(501)}` },
    { method: 'GET', url: '/v3/autocomplete?q=%00' },
    { method: 'GET', url: '/v3/search?q=real&semVerLevel=2%00' },
  );
  for (const { method, url } of requests) {
    const response = await feed.app.inject({ method, url, headers: key });
    assert.equal(response.statusCode, 400, `${method} ${url}: ${response.body}`);
    const body = response.json<ErrorBody>();
    assert.equal(body.code, 'FEED_BAD_REQUEST', url);
    assert.match(body.message, /^The (path|query) parameter '\w+' is not valid: .+\.$/, url);
  }
  assert.match((await feed.app.inject(`/v3/flatcontainer/${LONG_ID}/index.json`)).json<ErrorBody>().message, /1 to 100 letters/);
  assert.match((await feed.app.inject(`/v3/flatcontainer/real/${LONG_VERSION}/real.nuspec`)).json<ErrorBody>().message, /at most 64 characters/);
  // The longest valid forms still reach the feed (404: no such package) and the real one is intact.
  assert.equal((await feed.app.inject(`/v3/flatcontainer/${LONG_ID.slice(1)}/index.json`)).statusCode, 404);
  assert.equal((await feed.app.inject(`/v3/flatcontainer/real/1.0.0-${'a'.repeat(58)}/real.nuspec`)).statusCode, 404);
  assert.equal((await feed.app.inject('/v3/search?q=real')).json<SearchResults>().totalHits, 1);
  assert.deepEqual(log.atLeast(50), []);
});

test('a forged Host never changes the @ids; with AllowedHosts other hosts get 421, probes answer any host', async (t) => {
  const fixed = await startTestFeed(t, { PublicBaseUrl: 'https://feed.example/nuget' });
  assert.equal((await fixed.push(testPackage({ id: 'Hosted', version: '1.0.0' }))).statusCode, 201);
  for (const headers of [{ host: 'evil.example' }, { host: 'localhost:1' }, { host: 'evil.example', 'x-forwarded-host': 'evil2.example', 'x-forwarded-proto': 'http' }]) {
    const index = (await fixed.app.inject({ url: '/v3/index.json', headers })).json<ServiceIndex>();
    assert.ok(index.resources.every((resource) => resource['@id'].startsWith('https://feed.example/nuget/')), JSON.stringify(headers));
    const registration = await fixed.app.inject({ url: '/v3/registration/hosted/index.json', headers });
    assert.match(registration.json<{ '@id': string }>()['@id'], /^https:\/\/feed\.example\/nuget\//);
    assert.doesNotMatch(registration.body, /evil/);
  }

  // Loopback without PublicBaseUrl: the address comes from the request, so only loopback names count.
  const loopback = await startTestFeed(t);
  const local = (await loopback.app.inject({ url: '/v3/index.json', headers: { host: '127.0.0.1:5000' } })).json<ServiceIndex>();
  assert.ok(local.resources.every((resource) => resource['@id'].startsWith('http://127.0.0.1:5000/')));
  const forged = await loopback.app.inject({ url: '/v3/index.json', headers: { host: 'evil.example' } });
  assert.equal(forged.statusCode, 421);
  assert.equal(forged.json<ErrorBody>().code, 'FEED_MISDIRECTED');
  assert.doesNotMatch(forged.body, /"@id"/);
  assert.equal((await loopback.app.inject({ method: 'PUT', url: '/api/v2/package', headers: { host: 'evil.example', 'x-nuget-apikey': API_KEY } })).statusCode, 421);

  const allowed = await startTestFeed(t, { PublicBaseUrl: 'https://feed.example', AllowedHosts__0: 'Mirror.Example' });
  assert.equal((await allowed.app.inject({ url: '/v3/index.json', headers: { host: 'feed.example' } })).statusCode, 200);
  const mirror = await allowed.app.inject({ url: '/v3/index.json', headers: { host: 'mirror.example:8443' } });
  assert.equal(mirror.statusCode, 200);
  assert.ok(mirror.json<ServiceIndex>().resources.every((resource) => resource['@id'].startsWith('https://feed.example/')));
  assert.equal((await allowed.app.inject({ url: '/v3/index.json', headers: { host: 'evil.example' } })).statusCode, 421);
  assert.equal((await allowed.app.inject({ url: '/health/live', headers: { host: '10.1.2.3:8080' } })).statusCode, 200);
});

test('wrong API keys are limited per address (429 with Retry-After); right keys and other addresses are not', async (t) => {
  const feed = await startTestFeed(t, { Authentication__MaxFailedAttemptsPerMinute: '3' });
  assert.equal((await feed.push(testPackage({ id: 'Guarded', version: '1.0.0' }))).statusCode, 201);
  const attempt = (remoteAddress: string, key: string | undefined, method: 'DELETE' | 'POST' = 'DELETE') =>
    feed.app.inject({ method, url: '/api/v2/package/Guarded/1.0.0', remoteAddress, headers: key === undefined ? {} : { 'x-nuget-apikey': key } });

  // Unlist and relist without a key, or with a wrong one, are refused and change nothing.
  for (const method of ['DELETE', 'POST'] as const) {
    const missing = await attempt('192.0.2.1', undefined, method);
    assert.equal(missing.statusCode, 401, missing.body);
    assert.equal(missing.headers['www-authenticate'], 'Basic realm="reposign"');
  }
  for (let i = 0; i < 3; i++) assert.equal((await attempt('192.0.2.1', `guess-${i}`)).statusCode, 403);
  // The address is now blocked even for the right key (else a right guess would still stand out).
  for (const key of ['guess-4', API_KEY]) {
    const blocked = await attempt('192.0.2.1', key);
    assert.equal(blocked.statusCode, 429, blocked.body);
    assert.equal(blocked.json<ErrorBody>().code, 'FEED_TOO_MANY_REQUESTS');
    const retryAfter = Number(blocked.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(blocked.headers['retry-after']));
  }
  // Requests without a key are not guesses; they stay 401.
  assert.equal((await attempt('192.0.2.1', undefined)).statusCode, 401);
  assert.equal((await feed.app.inject('/v3/search?q=guarded')).json<SearchResults>().totalHits, 1);
  // Another address with the right key, many times, is never limited.
  for (let i = 0; i < 5; i++) {
    assert.equal((await attempt('192.0.2.2', API_KEY, 'POST')).statusCode, 200);
  }
  assert.equal((await attempt('192.0.2.2', API_KEY, 'DELETE')).statusCode, 204);
  assert.equal((await feed.app.inject('/v3/search?q=guarded')).json<SearchResults>().totalHits, 0);
});
