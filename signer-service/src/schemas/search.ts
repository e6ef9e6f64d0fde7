// SPDX-License-Identifier: MIT
// Response schemas of SearchQueryService and SearchAutocompleteService.

import { Type, type Static } from 'typebox';

/** One version listed in a search result. */
export const SearchResultVersion = Type.Object({
  version: Type.String(),
  downloads: Type.Integer(),
  '@id': Type.String(),
});

/** One package in the search results, described by its latest matching version. */
export const SearchResult = Type.Object({
  '@id': Type.String(),
  '@type': Type.Literal('Package'),
  registration: Type.String(),
  id: Type.String(),
  version: Type.String(),
  description: Type.String(),
  summary: Type.String(),
  title: Type.String(),
  iconUrl: Type.String(),
  licenseUrl: Type.String(),
  projectUrl: Type.String(),
  tags: Type.Array(Type.String()),
  authors: Type.Array(Type.String()),
  owners: Type.Array(Type.String()),
  totalDownloads: Type.Integer(),
  verified: Type.Boolean(),
  packageTypes: Type.Array(Type.Object({ name: Type.String() })),
  versions: Type.Array(SearchResultVersion),
});
export type SearchResult = Static<typeof SearchResult>;

/** The SearchQueryService response. */
export const SearchResults = Type.Object({
  totalHits: Type.Integer(),
  data: Type.Array(SearchResult),
});
export type SearchResults = Static<typeof SearchResults>;

/** The SearchAutocompleteService response: package ids, or the versions of one id. */
export const AutocompleteResults = Type.Object({
  totalHits: Type.Integer(),
  data: Type.Array(Type.String()),
});
export type AutocompleteResults = Static<typeof AutocompleteResults>;
