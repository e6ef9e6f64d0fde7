// SPDX-License-Identifier: MIT
// The JSON documents the feed integration tests read back, typed for `response.json<T>()`. Only the
// fields the tests look at are declared, independently of src/schemas (which the tests check).

import type { ServiceIndexResource } from '../../../src/schemas/service-index.js';

/** The error body every failed request carries (plugins/app/error-handler.ts). */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly error: string;
  readonly message: string;
}

/** The v3 service index. */
export interface ServiceIndex {
  readonly version: string;
  readonly resources: readonly ServiceIndexResource[];
}

/** One dependency inside a catalog entry's dependency group. */
export interface RegistrationDependency {
  readonly id: string;
  readonly range: string;
}

/** A dependency group of a catalog entry; the any-framework group has no targetFramework. */
export interface RegistrationDependencyGroup {
  readonly targetFramework?: string;
  readonly dependencies: readonly RegistrationDependency[];
}

/** The catalog entry inlined in a registration page item. */
export interface CatalogEntry {
  readonly id: string;
  readonly version: string;
  readonly listed: boolean;
  readonly dependencyGroups: readonly RegistrationDependencyGroup[];
}

/** One version inside a registration page. */
export interface RegistrationPageItem {
  readonly '@id': string;
  readonly catalogEntry: CatalogEntry;
  readonly packageContent: string;
}

/** A registration page; `items` is present only when the page is inlined or fetched on its own. */
export interface RegistrationPage {
  readonly '@id': string;
  readonly count: number;
  readonly lower: string;
  readonly upper: string;
  readonly items?: readonly RegistrationPageItem[];
}

/** The registration index of one package id. */
export interface RegistrationIndex {
  readonly count: number;
  readonly items: readonly RegistrationPage[];
}

/** A registration leaf; its catalogEntry is a URL, not an inlined entry. */
export interface RegistrationLeaf {
  readonly catalogEntry: string;
  readonly listed: boolean;
  readonly packageContent: string;
}

/** One version listed in a search result. */
export interface SearchResultVersion {
  readonly '@id': string;
  readonly version: string;
}

/** One package in the search results, described by its latest matching version. */
export interface SearchResult {
  readonly id: string;
  readonly version: string;
  readonly versions: readonly SearchResultVersion[];
}

/** The SearchQueryService response. */
export interface SearchResults {
  readonly totalHits: number;
  readonly data: readonly SearchResult[];
}

/** The SearchAutocompleteService response: package ids, or the versions of one id. */
export interface AutocompleteResults {
  readonly totalHits: number;
  readonly data: readonly string[];
}

/** One certificate listed by the repository-signatures resource. */
export interface SigningCertificateEntry {
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly contentUrl: string;
}

/** The RepositorySignatures/5.0.0 index. */
export interface RepositorySignaturesIndex {
  readonly allRepositorySigned: boolean;
  readonly signingCertificates: readonly SigningCertificateEntry[];
}

/** The `/health/ready` body. */
export interface ReadinessReport {
  readonly status: string;
  readonly checks: Readonly<Record<string, string>>;
}
