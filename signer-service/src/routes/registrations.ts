// SPDX-License-Identifier: MIT
// RegistrationsBaseUrl: index, pages and leaves, in a SemVer 1 hive (`registration`) and a
// SemVer 2 hive (`registration-semver2`).

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { packagesRepository, type PackageRecord } from '../db/packages-repository.js';
import { FeedError } from '../errors.js';
import type { Feed } from '../feed.js';
import { registrationIndexDocument, registrationLeafDocument, registrationPageDocument } from '../nuget/registration-documents.js';
import { sortByVersion } from '../nuget/search-documents.js';
import { tryParseVersion, versionKey } from '../nuget/version.js';
import { requestUrls } from '../plugins/app/public-url.js';
import { IdParams, RegistrationLeafParams, RegistrationPageParams } from '../schemas/package-params.js';

/** The registration routes. */
export const registrationRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { config, ctx } = feed;
  const notFound = (what: string): FeedError => new FeedError('FEED_PACKAGE_NOT_FOUND', `${what} was not found.`);

  for (const semVer2 of [false, true]) {
    const hive = semVer2 ? 'registration-semver2' : 'registration';
    const versionsOf = async (id: string): Promise<PackageRecord[]> => {
      const records = (await packagesRepository(ctx.db).listVersions(id.toLowerCase())).filter((record) => semVer2 || !record.semVer2);
      if (records.length === 0) throw notFound(`Package ${id}`);
      return sortByVersion(records);
    };

    app.get(`/v3/${hive}/:id/index.json`, { schema: { params: IdParams } }, async (request) =>
      registrationIndexDocument(requestUrls(config, request).urls, semVer2, await versionsOf(request.params.id)),
    );

    app.get(`/v3/${hive}/:id/page/:lower/:upper`, { schema: { params: RegistrationPageParams } }, async (request) => {
      const upper = request.params.upper.replace(/\.json$/i, '');
      const page = registrationPageDocument(requestUrls(config, request).urls, semVer2, await versionsOf(request.params.id), request.params.lower.toLowerCase(), upper.toLowerCase());
      if (page === undefined) throw notFound(`Registration page ${request.params.lower}/${upper}`);
      return page;
    });

    app.get(`/v3/${hive}/:id/:leaf`, { schema: { params: RegistrationLeafParams } }, async (request) => {
      const version = tryParseVersion(request.params.leaf.replace(/\.json$/i, ''));
      const record =
        version === undefined || !request.params.leaf.toLowerCase().endsWith('.json')
          ? undefined
          : (await versionsOf(request.params.id)).find((candidate) => candidate.versionLower === versionKey(version));
      if (record === undefined) throw notFound(`Package ${request.params.id} ${request.params.leaf}`);
      return registrationLeafDocument(requestUrls(config, request).urls, semVer2, record);
    });
  }
};
