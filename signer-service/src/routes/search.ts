// SPDX-License-Identifier: MIT
// SearchQueryService and SearchAutocompleteService.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { packagesRepository } from '../db/packages-repository.js';
import type { Feed } from '../feed.js';
import { rankHits, searchResult, sortByVersion } from '../nuget/search-documents.js';
import { tryParseVersion } from '../nuget/version.js';
import { requestUrls } from '../plugins/app/public-url.js';
import { SearchQuery } from '../schemas/package-params.js';

/** True when the client asked for SemVer 2.0 results (`semVerLevel=2.0.0` or higher). */
function wantsSemVer2(level: string | undefined): boolean {
  const parsed = level === undefined ? undefined : tryParseVersion(level);
  return parsed !== undefined && parsed.major >= 2;
}

/** The search routes. */
export const searchRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { config, ctx } = feed;

  app.get('/v3/search', { schema: { querystring: SearchQuery } }, async (request) => {
    const { q, skip, take, prerelease, semVerLevel } = request.query;
    const text = (q ?? '').trim().toLowerCase();
    const semVer2 = wantsSemVer2(semVerLevel);
    const hits = rankHits(await packagesRepository(ctx.db).query({ text, includePrerelease: prerelease, includeSemVer2: semVer2, idPrefix: false }), text);
    const urls = requestUrls(config, request).urls;
    return { totalHits: hits.length, data: hits.slice(skip, skip + take).map((hit) => searchResult(urls, semVer2, hit)) };
  });

  app.get('/v3/autocomplete', { schema: { querystring: SearchQuery } }, async (request) => {
    const { q, id, skip, take, prerelease, semVerLevel } = request.query;
    const semVer2 = wantsSemVer2(semVerLevel);
    const packages = packagesRepository(ctx.db);
    if (id !== undefined && id !== '') {
      const versions = sortByVersion(
        (await packages.listVersions(id.toLowerCase())).filter((record) => record.listed && (prerelease || !record.prerelease) && (semVer2 || !record.semVer2)),
      ).map((record) => (semVer2 ? record.fullVersion : record.version));
      return { totalHits: versions.length, data: versions };
    }
    const text = (q ?? '').trim().toLowerCase();
    const hits = rankHits(await packages.query({ text, includePrerelease: prerelease, includeSemVer2: semVer2, idPrefix: true }), text);
    return { totalHits: hits.length, data: hits.slice(skip, skip + take).map((hit) => hit.versions[hit.versions.length - 1]?.id ?? hit.idLower) };
  });
};
