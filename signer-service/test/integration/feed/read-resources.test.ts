// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AutocompleteResults, ReadinessReport, RegistrationIndex, RegistrationLeaf, SearchResults, ServiceIndex } from './documents.js';
import { API_KEY, startTestFeed, testPackage } from './feed-fixture.js';

test('service index, registration, search, autocomplete, unlist and relist', async (t) => {
  const feed = await startTestFeed(t, { PublicBaseUrl: 'https://feed.example/nuget' });
  for (const [id, version] of [['Contoso.Core', '1.0.0'], ['Contoso.Core', '1.1.0-beta'], ['Contoso.Core', '2.0.0-rc.1'], ['Fabrikam', '3.0.0']] as const) {
    assert.equal((await feed.push(testPackage({ id, version, dependencies: id === 'Fabrikam' ? [{ id: 'Contoso.Core', version: '1.0.0' }] : [] }))).statusCode, 201);
  }

  const index = (await feed.app.inject('/v3/index.json')).json<ServiceIndex>();
  const types = new Map(index.resources.map((r) => [r['@type'], r['@id']]));
  assert.equal(types.get('PackageBaseAddress/3.0.0'), 'https://feed.example/nuget/v3/flatcontainer/');
  assert.equal(types.get('RepositorySignatures/5.0.0'), 'https://feed.example/nuget/v3/repository-signatures/index.json');
  assert.ok(index.resources.every((r) => r['@id'].startsWith('https://feed.example/nuget/')));

  const semver1 = (await feed.app.inject('/v3/registration/contoso.core/index.json')).json<RegistrationIndex>();
  assert.deepEqual(semver1.items[0].items?.map((leaf) => leaf.catalogEntry.version), ['1.0.0', '1.1.0-beta']);
  const semver2 = (await feed.app.inject('/v3/registration-semver2/Contoso.Core/index.json')).json<RegistrationIndex>();
  assert.equal(semver2.items[0].upper, '2.0.0-rc.1');
  const fabrikam = (await feed.app.inject('/v3/registration-semver2/fabrikam/index.json')).json<RegistrationIndex>();
  assert.deepEqual(fabrikam.items[0].items?.[0].catalogEntry.dependencyGroups[0].dependencies[0].range, '1.0.0');
  const leaf = await feed.app.inject('/v3/registration-semver2/contoso.core/1.0.0.json');
  assert.equal(leaf.json<RegistrationLeaf>().packageContent, 'https://feed.example/nuget/v3/flatcontainer/contoso.core/1.0.0/contoso.core.1.0.0.nupkg');

  const search = async (query: string) => (await feed.app.inject(`/v3/search?${query}`)).json<SearchResults>();
  assert.deepEqual((await search('q=contoso')).data.map((d) => d.version), ['1.0.0']);
  assert.deepEqual((await search('q=contoso&prerelease=true')).data[0].versions.map((v) => v.version), ['1.0.0', '1.1.0-beta']);
  assert.equal((await search('q=contoso&prerelease=true&semVerLevel=2.0.0')).data[0].version, '2.0.0-rc.1');
  const all = await search('take=1&skip=1');
  assert.equal(all.totalHits, 2);
  assert.deepEqual(all.data.map((d) => d.id), ['Fabrikam']);
  assert.deepEqual((await feed.app.inject('/v3/autocomplete?q=con')).json<AutocompleteResults>(), { totalHits: 1, data: ['Contoso.Core'] });
  assert.deepEqual((await feed.app.inject('/v3/autocomplete?id=contoso.core&prerelease=true')).json<AutocompleteResults>(), { totalHits: 2, data: ['1.0.0', '1.1.0-beta'] });

  const headers = { 'x-nuget-apikey': API_KEY };
  assert.equal((await feed.app.inject({ method: 'DELETE', url: '/api/v2/package/Fabrikam/3.0.0', headers })).statusCode, 204);
  assert.equal((await search('q=fabrikam')).totalHits, 0);
  assert.equal((await feed.app.inject('/v3/registration/fabrikam/index.json')).json<RegistrationIndex>().items[0].items?.[0].catalogEntry.listed, false);
  assert.equal((await feed.app.inject('/v3/flatcontainer/fabrikam/3.0.0/fabrikam.3.0.0.nupkg')).statusCode, 200, 'unlisted stays downloadable');
  assert.equal((await feed.app.inject({ method: 'POST', url: '/api/v2/package/Fabrikam/3.0.0', headers })).statusCode, 200);
  assert.equal((await search('q=fabrikam')).totalHits, 1);
  assert.equal((await feed.app.inject({ method: 'DELETE', url: '/api/v2/package/Nope/1.0.0', headers })).statusCode, 404);
});

test('read authentication: Basic with the API key as password', async (t) => {
  const feed = await startTestFeed(t, { Authentication__RequireForReads: 'true' });
  const anonymous = await feed.app.inject('/v3/index.json');
  assert.equal(anonymous.statusCode, 401);
  assert.match(String(anonymous.headers['www-authenticate']), /^Basic/);
  const basic = `Basic ${Buffer.from(`anyone:${API_KEY}`).toString('base64')}`;
  assert.equal((await feed.app.inject({ url: '/v3/index.json', headers: { authorization: basic } })).statusCode, 200);
  const wrong = `Basic ${Buffer.from('anyone:nope').toString('base64')}`;
  assert.equal((await feed.app.inject({ url: '/v3/index.json', headers: { authorization: wrong } })).statusCode, 401);
  assert.equal((await feed.app.inject('/health/live')).statusCode, 200, 'probes stay anonymous');
});

test('trusted proxy headers decide the public URL; untrusted ones are ignored', async (t) => {
  // Without PublicBaseUrl, a forwarded host counts only when AllowedHosts lists it (a forged one gets 421).
  const trusted = await startTestFeed(t, { TrustedProxies__0: '127.0.0.1', AllowedHosts__0: 'nuget.contoso.com' });
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'nuget.contoso.com' };
  const viaProxy = (await trusted.app.inject({ url: '/v3/index.json', headers: forwarded })).json<ServiceIndex>();
  assert.ok(viaProxy.resources.some((r) => r['@id'] === 'https://nuget.contoso.com/v3/repository-signatures/index.json'));
  const untrusted = await startTestFeed(t);
  const direct = (await untrusted.app.inject({ url: '/v3/index.json', headers: forwarded })).json<ServiceIndex>();
  assert.ok(direct.resources.every((r) => r['@id'].startsWith('http://localhost')));
  assert.ok(!direct.resources.some((r) => r['@type'].startsWith('RepositorySignatures')));
});

test('health and metrics', async (t) => {
  const feed = await startTestFeed(t);
  assert.equal((await feed.push(testPackage({ id: 'Counted', version: '1.0.0' }))).statusCode, 201);
  assert.equal((await feed.app.inject('/v3/flatcontainer/counted/1.0.0/counted.1.0.0.nupkg')).statusCode, 200);
  assert.deepEqual((await feed.app.inject('/health/ready')).json<ReadinessReport>().status, 'ready');
  const metrics = (await feed.app.inject('/metrics')).body;
  assert.match(metrics, /reposign_pushes_total\{outcome="created"\} 1/);
  assert.match(metrics, /reposign_downloads_total\{kind="nupkg",outcome="ok"\} 1/);
  assert.match(metrics, /reposign_signings_total\{mode="push",outcome="ok"\} 1/);
  assert.match(metrics, /reposign_signing_duration_seconds_count\{mode="push"\} 1/);
  assert.match(metrics, /reposign_timestamp_duration_seconds/);
});
