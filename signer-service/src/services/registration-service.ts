// SPDX-License-Identifier: MIT
// The registration resource's reads: the index, pages and leaves of one id, in the SemVer 1 hive
// or the SemVer 2 hive.

import { packagesRepository, type PackageRecord } from '../db/packages-repository.js';
import { FeedError } from '../errors.js';
import type { FeedUrls } from '../nuget/feed-urls.js';
import { registrationIndexDocument, registrationLeafDocument, registrationPageDocument } from '../nuget/registration-documents.js';
import { sortByVersion } from '../nuget/search-documents.js';
import { tryParseVersion, versionKey } from '../nuget/version.js';
import type { RegistrationIndex, RegistrationLeaf, RegistrationPage } from '../schemas/registration.js';
import type { FeedContext } from './feed-context.js';

/** Which registration: the package id as requested, the hive, and the URLs documents link to. */
export interface RegistrationRequest {
  readonly id: string;
  /** True for the SemVer 2 hive (`registration-semver2`), which also lists SemVer 2.0 versions. */
  readonly semVer2: boolean;
  readonly urls: FeedUrls;
}

function notFound(what: string): FeedError {
  return new FeedError('FEED_PACKAGE_NOT_FOUND', `${what} was not found.`);
}

/** The versions the hive shows, in NuGet order; throws FEED_PACKAGE_NOT_FOUND when there is none. */
async function versionsOf(ctx: FeedContext, request: RegistrationRequest): Promise<PackageRecord[]> {
  const records = (await packagesRepository(ctx.db).listVersions(request.id.toLowerCase())).filter((record) => request.semVer2 || !record.semVer2);
  if (records.length === 0) throw notFound(`Package ${request.id}`);
  return sortByVersion(records);
}

/** The registration index of an id. Throws FEED_PACKAGE_NOT_FOUND for an id without versions in the hive. */
export async function registrationIndex(ctx: FeedContext, request: RegistrationRequest): Promise<RegistrationIndex> {
  return registrationIndexDocument(request.urls, request.semVer2, await versionsOf(ctx, request));
}

/**
 * The page between the version keys `lower` and `upper` (case-insensitive). Throws
 * FEED_PACKAGE_NOT_FOUND for an unknown id or a page the index does not list.
 */
export async function registrationPage(ctx: FeedContext, request: RegistrationRequest, lower: string, upper: string): Promise<RegistrationPage> {
  const page = registrationPageDocument(request.urls, request.semVer2, await versionsOf(ctx, request), lower.toLowerCase(), upper.toLowerCase());
  if (page === undefined) throw notFound(`Registration page ${lower}/${upper}`);
  return page;
}

/** The leaf of one version, given as written in the URL. Throws FEED_PACKAGE_NOT_FOUND for an unknown one. */
export async function registrationLeaf(ctx: FeedContext, request: RegistrationRequest, version: string): Promise<RegistrationLeaf> {
  const parsed = tryParseVersion(version);
  const record = parsed === undefined ? undefined : (await versionsOf(ctx, request)).find((candidate) => candidate.versionLower === versionKey(parsed));
  if (record === undefined) throw notFound(`Package ${request.id} ${version}`);
  return registrationLeafDocument(request.urls, request.semVer2, record);
}
