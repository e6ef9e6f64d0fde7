// SPDX-License-Identifier: MIT
// Refuses requests whose Host names neither the public address nor an allowed host, with 421, on
// the scope that registers it (the NuGet resources; health probes keep answering any Host).

import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../../config/config.js';
import { FeedError } from '../../errors.js';
import { acceptedHostNames } from '../../http/public-url.js';

const allowedHosts: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const accepted = acceptedHostNames(config);
  if (accepted === undefined) return;
  app.addHook('onRequest', async (request) => {
    const name = request.hostname.toLowerCase();
    if (!accepted.has(name)) {
      const shown = name.replace(/[^\x21-\x7e]/g, '?').slice(0, 100);
      throw new FeedError('FEED_MISDIRECTED', `This feed does not answer for host '${shown}': use ${config.publicBaseUrl ?? 'a loopback address'} or a host listed in AllowedHosts.`);
    }
  });
};

/** The Host check, added to every route of the registering scope (not encapsulated). */
export const allowedHostsPlugin = fastifyPlugin(allowedHosts, { name: 'reposign-allowed-hosts', fastify: '5.x' });
