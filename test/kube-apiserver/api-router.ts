// SPDX-License-Identifier: MIT
// Dispatches a request: fault injection, the request log, non-resource paths (version, discovery,
// OpenAPI, health) and resource requests.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { aggregatedDiscovery, AGGREGATED_DISCOVERY, apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo, wantsAggregated } from './discovery.js';
import type { FaultInjector } from './fault-injection.js';
import { mediaType, sendError, sendJson } from './http-io.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import type { RequestLog } from './request-log.js';
import { handleResource, type ResourceServices } from './resource-handler.js';
import { ApiError, pathNotFound } from './status-error.js';

/** Everything the router needs. */
export interface RouterContext extends ResourceServices {
  faults: FaultInjector;
  log: RequestLog;
  serverAddress: () => string;
}

function serveNonResource(ctx: RouterContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const { registry } = ctx.state;
  const aggregated = wantsAggregated(req.headers.accept);
  if (path === '/version') return sendJson(res, 200, versionInfo());
  if (['/healthz', '/readyz', '/livez'].includes(path)) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (path === '/api' || path === '/apis') {
    if (aggregated) {
      const body = JSON.stringify(aggregatedDiscovery(registry, path === '/api'));
      res.writeHead(200, { 'Content-Type': AGGREGATED_DISCOVERY, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
      return;
    }
    return sendJson(res, 200, path === '/api' ? apiVersions(ctx.serverAddress()) : apiGroupList(registry));
  }
  const groupVersion = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (groupVersion !== null) {
    const list = groupVersion[1] !== undefined ? apiResourceList(registry, '', 'v1') : apiResourceList(registry, groupVersion[2], groupVersion[3]);
    if (list === undefined) throw pathNotFound();
    return sendJson(res, 200, list);
  }
  const group = /^\/apis\/([^/]+)$/.exec(path);
  if (group !== null) {
    const found = apiGroup(registry, group[1]);
    if (found === undefined) throw pathNotFound();
    return sendJson(res, 200, found);
  }
  if (path === '/openapi/v3') return sendJson(res, 200, openApiIndex(registry));
  const openapi = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (openapi !== null) {
    const doc = openapi[1] !== undefined ? openApiDocument(registry, '', 'v1') : openApiDocument(registry, openapi[2], openapi[3]);
    if (doc === undefined) throw pathNotFound();
    return sendJson(res, 200, doc);
  }
  throw pathNotFound();
}

/** Serves one HTTP request end to end (never throws). */
export async function route(ctx: RouterContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = req.method ?? 'GET';
  let info: RequestInfo | undefined;
  try {
    info = parseRequestInfo(method, url);
  } catch {
    info = undefined;
  }
  const isWatch = info?.verb === 'watch';
  if (!isWatch) res.on('finish', () => logRequest(ctx, req, res, url, info));
  const view = { method, path: url.pathname, query: url.searchParams, info };
  try {
    const delay = ctx.faults.delayFor(view);
    if (delay > 0) await sleep(delay);
    const failure = ctx.faults.failureFor(view);
    if (failure !== undefined) throw failure;
    if (info === undefined) serveNonResource(ctx, req, res, url);
    else await handleResource(ctx, info, req, res, url);
  } catch (err) {
    if (res.headersSent) res.end();
    else if (err instanceof ApiError) sendError(res, err);
    else if (err instanceof SyntaxError) sendError(res, new ApiError(400, 'BadRequest', err.message));
    else sendError(res, new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
  }
  // A watch stays open, so it is logged once its response head is out.
  if (isWatch) logRequest(ctx, req, res, url, info);
}

function logRequest(ctx: RouterContext, req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo | undefined): void {
  ctx.log.add({
    method: req.method ?? 'GET',
    verb: info?.verb ?? (req.method ?? 'GET').toLowerCase(),
    path: url.pathname,
    query: url.search,
    contentType: mediaType(req.headers['content-type']),
    fieldManager: url.searchParams.get('fieldManager') ?? undefined,
    userAgent: req.headers['user-agent'],
    resource: info?.resource,
    subresource: info?.subresource,
    namespace: info?.namespace,
    name: info?.name,
    status: res.statusCode,
    at: new Date(),
  });
}
