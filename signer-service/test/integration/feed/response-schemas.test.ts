// SPDX-License-Identifier: MIT
// The response schemas serialise the NuGet documents exactly: every field the services build reaches
// the client, for each document route.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedUrls } from '../../../src/nuget/feed-urls.js';
import { serviceIndexDocument } from '../../../src/nuget/service-index.js';
import { repositorySignaturesIndex } from '../../../src/services/certificate-service.js';
import { registrationIndex, registrationLeaf, registrationPage } from '../../../src/services/registration-service.js';
import { autocomplete, searchPackages } from '../../../src/services/search-service.js';
import type { ErrorBody } from './documents.js';
import { startTestFeed, testPackage } from './feed-fixture.js';

test('each NuGet document is served as the service built it; errors keep their body', async (t) => {
  const base = 'https://feed.example';
  const feed = await startTestFeed(t, { PublicBaseUrl: base });
  const { ctx } = feed.feed;
  const urls = feedUrls(base);
  await feed.push(testPackage({ id: 'Schema.Dep', version: '1.0.0' }));
  await feed.push(testPackage({ id: 'Schema.Pkg', version: '2.0.0-rc.1+build', tags: 'a b', dependencies: [{ id: 'Schema.Dep', version: '[1.0.0, )' }] }));
  const query = { q: 'schema', skip: 0, take: 20, prerelease: true, semVerLevel: '2.0.0' };
  const registration = { id: 'Schema.Pkg', semVer2: true, urls };
  const key = '2.0.0-rc.1';

  const documents: Record<string, unknown> = {
    '/v3/index.json': serviceIndexDocument(urls, true),
    '/v3/flatcontainer/schema.pkg/index.json': await feed.feed.downloads.versionsIndex('schema.pkg'),
    '/v3/registration-semver2/schema.pkg/index.json': await registrationIndex(ctx, registration),
    [`/v3/registration-semver2/schema.pkg/page/${key}/${key}.json`]: await registrationPage(ctx, registration, key, key),
    [`/v3/registration-semver2/schema.pkg/${key}.json`]: await registrationLeaf(ctx, registration, key),
    '/v3/search?q=schema&prerelease=true&semVerLevel=2.0.0': await searchPackages(ctx, urls, query),
    '/v3/autocomplete?q=schema&prerelease=true&semVerLevel=2.0.0': await autocomplete(ctx, query),
    '/v3/repository-signatures/index.json': await repositorySignaturesIndex(ctx, urls),
  };
  for (const [url, document] of Object.entries(documents)) {
    const response = await feed.app.inject(url);
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    assert.deepEqual(response.json(), JSON.parse(JSON.stringify(document)), url);
  }
  const missing = await feed.app.inject('/v3/registration/nope/index.json');
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(Object.keys(missing.json<ErrorBody>()).sort(), ['code', 'error', 'message', 'statusCode']);
});
