// SPDX-License-Identifier: MIT
// RegistrationsBaseUrl: index, pages and leaves, in a SemVer 1 hive (`registration`) and a
// SemVer 2 hive (`registration-semver2`).

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Feed } from '../feed.js';
import { requestUrls } from '../http/public-url.js';
import { documentResponses } from '../schemas/error-body.js';
import { IdParams, RegistrationLeafParams, RegistrationPageParams } from '../schemas/package-params.js';
import { RegistrationIndex, RegistrationLeaf, RegistrationPage } from '../schemas/registration.js';
import { registrationIndex, registrationLeaf, registrationPage } from '../services/registration-service.js';

/** The registration routes. */
export const registrationRoutes: FastifyPluginAsyncTypebox<{ feed: Feed }> = async (app, { feed }) => {
  const { config, ctx } = feed;

  for (const semVer2 of [false, true]) {
    const hive = semVer2 ? 'registration-semver2' : 'registration';

    app.get(`/v3/${hive}/:id/index.json`, { schema: { params: IdParams, response: documentResponses(RegistrationIndex) } }, async (request) =>
      registrationIndex(ctx, { id: request.params.id, semVer2, urls: requestUrls(config, request).urls }),
    );

    app.get(`/v3/${hive}/:id/page/:lower/:upper`, { schema: { params: RegistrationPageParams, response: documentResponses(RegistrationPage) } }, async (request) => {
      const registration = { id: request.params.id, semVer2, urls: requestUrls(config, request).urls };
      return registrationPage(ctx, registration, request.params.lower, request.params.upper.replace(/\.json$/i, ''));
    });

    app.get(`/v3/${hive}/:id/:leaf`, { schema: { params: RegistrationLeafParams, response: documentResponses(RegistrationLeaf) } }, async (request) => {
      const { id, leaf } = request.params;
      return registrationLeaf(ctx, { id, semVer2, urls: requestUrls(config, request).urls }, leaf.slice(0, -'.json'.length));
    });
  }
};
