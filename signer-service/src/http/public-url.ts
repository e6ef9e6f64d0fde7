// SPDX-License-Identifier: MIT
// Plain functions, not a plugin: the base URL a client used to reach the feed, and which Host
// headers the feed answers. PublicBaseUrl is required unless the feed listens on loopback only;
// there, the base URL comes from the request (X-Forwarded-Proto/Host count only from trusted
// proxies, through trustProxy), but only when its host is a loopback name or an allowed host, so a
// forged Host never puts another feed's address into a document.

import type { FastifyRequest } from 'fastify';
import type { Config, ListenAddress } from '../config/config.js';
import { feedUrls, type FeedUrls } from '../nuget/feed-urls.js';

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** True for a listen host that only loopback clients can reach: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  return LOOPBACK_NAMES.has(name) || /^127(\.\d{1,3}){3}$/.test(name);
}

/** The lowercase Host names the feed answers on its NuGet resources; undefined accepts any. */
export function acceptedHostNames(config: Config): ReadonlySet<string> | undefined {
  if (config.publicBaseUrl !== undefined && config.allowedHosts.length === 0) return undefined;
  const names = new Set(config.allowedHosts);
  if (config.publicBaseUrl !== undefined) names.add(new URL(config.publicBaseUrl).hostname.toLowerCase());
  if (config.listen.every((address) => isLoopbackHost(address.host))) for (const name of LOOPBACK_NAMES) names.add(name);
  return names;
}

/** The base URL, without a trailing slash, for `request` (whose Host was checked by plugins/app/allowed-hosts.ts). */
export function publicBaseUrl(config: Config, request: FastifyRequest): string {
  return config.publicBaseUrl ?? `${request.protocol}://${request.host}`;
}

/** Resource URLs for `request`, and whether they are https. */
export function requestUrls(config: Config, request: FastifyRequest): { urls: FeedUrls; https: boolean } {
  const base = publicBaseUrl(config, request);
  return { urls: feedUrls(base), https: base.toLowerCase().startsWith('https://') };
}

/** The startup line saying which public address documents and signatures name, and where it came from. */
export function describePublicAddress(config: Config, listenUrl: string): string {
  if (config.publicBaseUrl !== undefined) return `  public address: ${config.publicBaseUrl} (from PublicBaseUrl)`;
  return `  public address: ${listenUrl} (PublicBaseUrl is unset: the listen address, accepted because it is loopback only)`;
}

/** The URL of a listen address as clients on this machine reach it. */
export function listenUrl(address: ListenAddress, port: number): string {
  const host = address.host === '0.0.0.0' || address.host === '::' ? 'localhost' : address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${address.protocol}://${host}:${port}`;
}
