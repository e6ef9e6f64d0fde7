// SPDX-License-Identifier: MIT
// Search and autocomplete results.

import type { PackageRecord } from '../db/packages-repository.js';
import type { SearchResult } from '../schemas/search.js';
import type { FeedUrls } from './feed-urls.js';
import { compareVersions, parseVersion } from './version.js';

/** The versions of one id that matched, newest last. */
export interface SearchHit {
  readonly idLower: string;
  readonly versions: readonly PackageRecord[];
}

/** Groups matching versions by id, ranked exact id match, then id prefix, then alphabetical. */
export function rankHits(records: readonly PackageRecord[], text: string): SearchHit[] {
  const byId = new Map<string, PackageRecord[]>();
  for (const record of records) {
    const list = byId.get(record.idLower) ?? [];
    list.push(record);
    byId.set(record.idLower, list);
  }
  const rank = (idLower: string): number => (idLower === text ? 0 : text !== '' && idLower.startsWith(text) ? 1 : 2);
  return [...byId.entries()]
    .map(([idLower, versions]) => ({ idLower, versions: sortByVersion(versions) }))
    .sort((a, b) => rank(a.idLower) - rank(b.idLower) || (a.idLower < b.idLower ? -1 : a.idLower > b.idLower ? 1 : 0));
}

/** Sorts versions ascending, the way NuGet orders them. */
export function sortByVersion(records: readonly PackageRecord[]): PackageRecord[] {
  return [...records].sort((a, b) => compareVersions(parseVersion(a.fullVersion), parseVersion(b.fullVersion)));
}

/** One search result (the latest matching version describes the package). */
export function searchResult(urls: FeedUrls, semVer2: boolean, hit: SearchHit): SearchResult {
  const latest = hit.versions[hit.versions.length - 1];
  const m = latest?.metadata;
  const registration = urls.registrationIndex(semVer2, hit.idLower);
  const show = (record: PackageRecord): string => (semVer2 ? record.fullVersion : record.version);
  return {
    '@id': registration,
    '@type': 'Package',
    registration,
    id: latest?.id ?? hit.idLower,
    version: latest === undefined ? '' : show(latest),
    description: m?.description ?? '',
    summary: m?.summary ?? '',
    title: m?.title || latest?.id || hit.idLower,
    iconUrl: m?.iconUrl ?? '',
    licenseUrl: m?.licenseUrl ?? '',
    projectUrl: m?.projectUrl ?? '',
    tags: [...(m?.tags ?? [])],
    authors: (m?.authors ?? '').split(',').map((author) => author.trim()).filter((author) => author !== ''),
    owners: [],
    totalDownloads: 0,
    verified: false,
    packageTypes: (m?.packageTypes.length ? m.packageTypes : ['Dependency']).map((name) => ({ name })),
    versions: hit.versions.map((record) => ({
      version: show(record),
      downloads: 0,
      '@id': urls.registrationLeaf(semVer2, record.idLower, record.versionLower),
    })),
  };
}
