// SPDX-License-Identifier: MIT
// SearchQueryService and SearchAutocompleteService: listed versions matched by text or id prefix,
// filtered by prerelease and SemVer level.

import { packagesRepository } from '../db/packages-repository.js';
import type { FeedUrls } from '../nuget/feed-urls.js';
import { rankHits, searchResult, sortByVersion } from '../nuget/search-documents.js';
import { tryParseVersion } from '../nuget/version.js';
import type { SearchQuery } from '../schemas/package-params.js';
import type { AutocompleteResults, SearchResults } from '../schemas/search.js';
import type { FeedContext } from './feed-context.js';

/** True when the client asked for SemVer 2.0 results (`semVerLevel=2.0.0` or higher). */
function wantsSemVer2(level: string | undefined): boolean {
  const parsed = level === undefined ? undefined : tryParseVersion(level);
  return parsed !== undefined && parsed.major >= 2;
}

/** Packages whose id, title, description or tags contain `q`, exact and prefix id matches first. */
export async function searchPackages(ctx: FeedContext, urls: FeedUrls, query: SearchQuery): Promise<SearchResults> {
  const { q, skip, take, prerelease, semVerLevel } = query;
  const text = (q ?? '').trim().toLowerCase();
  const semVer2 = wantsSemVer2(semVerLevel);
  const hits = rankHits(await packagesRepository(ctx.db).query({ text, includePrerelease: prerelease, includeSemVer2: semVer2, idPrefix: false }), text);
  return { totalHits: hits.length, data: hits.slice(skip, skip + take).map((hit) => searchResult(urls, semVer2, hit)) };
}

/** With `id`: the listed versions of that id, ascending. Otherwise: the ids that start with `q`. */
export async function autocomplete(ctx: FeedContext, query: SearchQuery): Promise<AutocompleteResults> {
  const { q, id, skip, take, prerelease, semVerLevel } = query;
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
}
