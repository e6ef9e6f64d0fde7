// SPDX-License-Identifier: MIT
// Registration (package metadata) documents: index, pages and leaves.

import type { PackageRecord } from '../db/packages-repository.js';
import type { CatalogEntry, RegistrationIndex, RegistrationLeaf, RegistrationPage, RegistrationPageItem } from '../schemas/registration.js';
import type { FeedUrls } from './feed-urls.js';

/** Versions per page; an index holding at most INLINE_LIMIT versions inlines every page. */
export const PAGE_SIZE = 64;
const INLINE_LIMIT = 128;
// nuget.org's convention: an unlisted version reports this publish date.
const UNLISTED_PUBLISHED = '1900-01-01T00:00:00+00:00';

function published(record: PackageRecord): string {
  return record.listed ? record.publishedAt.toISOString() : UNLISTED_PUBLISHED;
}

function catalogEntry(urls: FeedUrls, semVer2: boolean, record: PackageRecord): CatalogEntry {
  const leaf = urls.registrationLeaf(semVer2, record.idLower, record.versionLower);
  const m = record.metadata;
  return {
    '@id': `${leaf}#catalogEntry`,
    '@type': 'PackageDetails',
    id: record.id,
    version: record.fullVersion,
    authors: m.authors,
    description: m.description,
    title: m.title,
    summary: m.summary,
    tags: [...m.tags],
    projectUrl: m.projectUrl,
    iconUrl: m.iconUrl,
    licenseUrl: m.licenseUrl,
    requireLicenseAcceptance: m.requireLicenseAcceptance,
    listed: record.listed,
    published: published(record),
    packageContent: urls.nupkg(record.idLower, record.versionLower),
    dependencyGroups: m.dependencyGroups.map((group, index) => ({
      '@id': `${leaf}#dependencygroup/${index}`,
      '@type': 'PackageDependencyGroup',
      ...(group.targetFramework === '' ? {} : { targetFramework: group.targetFramework }),
      dependencies: group.dependencies.map((dependency) => ({
        '@id': `${leaf}#dependencygroup/${index}/${dependency.id.toLowerCase()}`,
        '@type': 'PackageDependency',
        id: dependency.id,
        range: dependency.range === '' ? '(, )' : dependency.range,
        registration: urls.registrationIndex(semVer2, dependency.id.toLowerCase()),
      })),
    })),
  };
}

function leafEntry(urls: FeedUrls, semVer2: boolean, record: PackageRecord): RegistrationPageItem {
  return {
    '@id': urls.registrationLeaf(semVer2, record.idLower, record.versionLower),
    '@type': 'Package',
    commitTimeStamp: (record.signedAt ?? record.publishedAt).toISOString(),
    catalogEntry: catalogEntry(urls, semVer2, record),
    packageContent: urls.nupkg(record.idLower, record.versionLower),
    registration: urls.registrationIndex(semVer2, record.idLower),
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function pageDocument(urls: FeedUrls, semVer2: boolean, records: readonly PackageRecord[], inline: boolean): RegistrationPage {
  const first = records[0];
  const last = records[records.length - 1];
  const lower = first?.versionLower ?? '';
  const upper = last?.versionLower ?? '';
  const idLower = first?.idLower ?? '';
  const index = urls.registrationIndex(semVer2, idLower);
  return {
    '@id': inline ? `${index}#page/${lower}/${upper}` : urls.registrationPage(semVer2, idLower, lower, upper),
    '@type': 'catalog:CatalogPage',
    count: records.length,
    lower: first?.fullVersion ?? '',
    upper: last?.fullVersion ?? '',
    parent: index,
    ...(inline ? { items: records.map((record) => leafEntry(urls, semVer2, record)) } : {}),
  };
}

/** The registration index of one id; `records` must be sorted by version, ascending and non-empty. */
export function registrationIndexDocument(urls: FeedUrls, semVer2: boolean, records: readonly PackageRecord[]): RegistrationIndex {
  const inline = records.length <= INLINE_LIMIT;
  const pages = chunk(records, PAGE_SIZE);
  return {
    '@id': urls.registrationIndex(semVer2, records[0]?.idLower ?? ''),
    '@type': ['catalog:CatalogRoot', 'PackageRegistration', 'catalog:Permalink'],
    count: pages.length,
    items: pages.map((page) => pageDocument(urls, semVer2, page, inline)),
  };
}

/** The page between `lower` and `upper` (version keys), or undefined when no such page exists. */
export function registrationPageDocument(
  urls: FeedUrls,
  semVer2: boolean,
  records: readonly PackageRecord[],
  lower: string,
  upper: string,
): RegistrationPage | undefined {
  const page = chunk(records, PAGE_SIZE).find((items) => items[0]?.versionLower === lower && items[items.length - 1]?.versionLower === upper);
  if (page === undefined) return undefined;
  return { ...pageDocument(urls, semVer2, page, true), '@id': urls.registrationPage(semVer2, page[0]?.idLower ?? '', lower, upper) };
}

/** A registration leaf. */
export function registrationLeafDocument(urls: FeedUrls, semVer2: boolean, record: PackageRecord): RegistrationLeaf {
  return {
    '@id': urls.registrationLeaf(semVer2, record.idLower, record.versionLower),
    '@type': ['Package', 'http://schema.nuget.org/catalog#Permalink'],
    catalogEntry: `${urls.registrationLeaf(semVer2, record.idLower, record.versionLower)}#catalogEntry`,
    listed: record.listed,
    packageContent: urls.nupkg(record.idLower, record.versionLower),
    published: published(record),
    registration: urls.registrationIndex(semVer2, record.idLower),
  };
}
