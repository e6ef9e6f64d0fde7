// SPDX-License-Identifier: MIT
// The v3 service index document.

import type { ServiceIndex } from '../schemas/service-index.js';
import type { FeedUrls } from './feed-urls.js';

/**
 * The service index. RepositorySignatures is listed only when `https` is true: the client refuses
 * a non-https resource and then fails every restore from the source (spec §8.4).
 */
export function serviceIndexDocument(urls: FeedUrls, https: boolean): ServiceIndex {
  const entries: [string, string[]][] = [
    [urls.publish, ['PackagePublish/2.0.0']],
    [urls.flatContainer, ['PackageBaseAddress/3.0.0']],
    [urls.registrationBase(false), ['RegistrationsBaseUrl', 'RegistrationsBaseUrl/3.0.0-rc', 'RegistrationsBaseUrl/3.0.0-beta']],
    [urls.registrationBase(true), ['RegistrationsBaseUrl/3.6.0']],
    [urls.search, ['SearchQueryService', 'SearchQueryService/3.0.0-rc', 'SearchQueryService/3.0.0-beta', 'SearchQueryService/3.5.0']],
    [urls.autocomplete, ['SearchAutocompleteService', 'SearchAutocompleteService/3.0.0-rc', 'SearchAutocompleteService/3.0.0-beta', 'SearchAutocompleteService/3.5.0']],
  ];
  if (https) entries.push([urls.repositorySignatures, ['RepositorySignatures/5.0.0']]);
  return { version: '3.0.0', resources: entries.flatMap(([id, types]) => types.map((type) => ({ '@id': id, '@type': type }))) };
}
