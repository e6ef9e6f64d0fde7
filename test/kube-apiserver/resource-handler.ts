// SPDX-License-Identifier: MIT
// Routes a resource request (get, list, watch, create, update, patch, delete) to the reader,
// writer, patcher, deleter or a watch session, and writes the answer.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFieldSelector } from './field-selector.js';
import { acceptsJson, mediaType, readBody, sendJson, wantsTable } from './http-io.js';
import { isObject, type KubeObject } from './json-value.js';
import { parseLabelSelector } from './label-selector.js';
import { HistoryExpiredError } from './object-store.js';
import type { RequestInfo } from './request-info.js';
import { readDeleteOptions, type ResourceDeleter } from './resource-deleter.js';
import type { ResourcePatcher } from './resource-patcher.js';
import type { ResourceReader } from './resource-reader.js';
import { storageKeyOf, type ResourceType } from './resource-type.js';
import type { ResourceWriter } from './resource-writer.js';
import type { ServerState } from './server-state.js';
import { badRequest, expired, methodNotAllowed, notAcceptable, pathNotFound, unsupportedMediaType } from './status-error.js';
import { toTable, type IncludeObject } from './table.js';
import type { WatchHub } from './watch-hub.js';
import { readWriteOptions } from './write-options.js';

/** The collaborators a resource request needs. */
export interface ResourceServices {
  state: ServerState;
  reader: ResourceReader;
  writer: ResourceWriter;
  patcher: ResourcePatcher;
  deleter: ResourceDeleter;
  watches: WatchHub;
}

function parseJsonBody(raw: string, contentType: string | undefined): KubeObject {
  if (contentType !== undefined && contentType !== 'application/json' && contentType !== 'application/yaml') {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  try {
    const body: unknown = JSON.parse(raw);
    if (!isObject(body)) throw new Error('not an object');
    return body as KubeObject;
  } catch (err) {
    throw badRequest(`the object provided is unrecognized: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A resource request, resolved. */
interface Resolved {
  services: ResourceServices;
  type: ResourceType;
  info: RequestInfo;
  namespace?: string;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
}

/** Serves one resource request; throws ApiError for failures. */
export async function handleResource(services: ResourceServices, info: RequestInfo, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const type = services.state.registry.find(info.group, info.version, info.resource);
  if (type === undefined || (info.namespace !== undefined && !type.namespaced)) throw pathNotFound();
  if (info.subresource !== undefined && !(info.subresource === 'status' && type.statusSubresource)) throw pathNotFound();
  if (!acceptsJson(req.headers.accept)) throw notAcceptable();
  const resolved: Resolved = { services, type, info, namespace: type.namespaced ? info.namespace : undefined, req, res, query: url.searchParams };
  if (info.verb === 'get' || info.verb === 'list' || info.verb === 'watch') return serveRead(resolved);
  return serveWrite(resolved, await readBody(req));
}

function serveRead(r: Resolved): void {
  const { services, type, namespace, info } = r;
  if (info.verb === 'watch') return startWatch(services, type, namespace, r.query, r.res);
  if (info.verb === 'get') {
    const object = services.writer.present(type, services.writer.existing(type, namespace, info.name!));
    return respondRead(r, [object], { resourceVersion: object.metadata.resourceVersion }, object);
  }
  const page = services.reader.list(type, namespace, r.query);
  respondRead(r, page.items, page.metadata);
}

function serveWrite(r: Resolved, raw: string): void {
  const { services, type, namespace, info, res, query } = r;
  const contentType = mediaType(r.req.headers['content-type']);
  const options = { ...readWriteOptions(query, r.req.headers['user-agent']), subresource: info.subresource === 'status' ? ('status' as const) : undefined };
  switch (info.verb) {
    case 'create': {
      if (info.name !== undefined || (type.namespaced && namespace === undefined)) throw methodNotAllowed();
      const result = services.writer.create(type, namespace, parseJsonBody(raw, contentType), options);
      return sendJson(res, result.code, result.object, result.warnings);
    }
    case 'update': {
      const result = services.writer.update(type, namespace, info.name!, parseJsonBody(raw, contentType), options);
      return sendJson(res, result.code, result.object, result.warnings);
    }
    case 'patch': {
      const result = services.patcher.patch(type, namespace, info.name!, { contentType: contentType ?? '', raw }, options);
      return sendJson(res, result.code, result.object, result.warnings);
    }
    case 'delete': {
      const result = services.deleter.delete(type, namespace, info.name!, readDeleteOptions(parseOptional(raw), query));
      return sendJson(res, result.code, result.body);
    }
    case 'deletecollection': {
      const page = services.reader.list(type, namespace, query);
      const deleteOptions = readDeleteOptions(parseOptional(raw), query);
      for (const item of page.items) services.deleter.delete(type, item.metadata.namespace, item.metadata.name!, deleteOptions);
      return sendJson(res, 200, services.reader.listObject(type, { items: page.items, metadata: { resourceVersion: String(services.state.store.currentRv()) } }));
    }
    default:
      throw methodNotAllowed();
  }
}

function parseOptional(raw: string): unknown {
  return raw.trim() === '' ? undefined : JSON.parse(raw);
}

function respondRead(r: Resolved, items: KubeObject[], metadata: Record<string, unknown>, single?: KubeObject): void {
  if (wantsTable(r.req.headers.accept)) {
    const include = (r.query.get('includeObject') ?? 'PartialObjectMetadata') as IncludeObject;
    return sendJson(r.res, 200, toTable(r.type, items, metadata, { clock: r.services.state.clock, include, noHeaders: false }));
  }
  sendJson(r.res, 200, single ?? r.services.reader.listObject(r.type, { items, metadata }));
}

function startWatch(services: ResourceServices, type: ResourceType, namespace: string | undefined, query: URLSearchParams, res: ServerResponse): void {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'));
  const rv = query.get('resourceVersion') ?? '';
  const timeout = query.get('timeoutSeconds');
  const session = services.watches.open(res, {
    filter: { type, namespace, labels, fields },
    bookmarks: ['true', '1'].includes(query.get('allowWatchBookmarks') ?? ''),
    timeoutMs: timeout === null ? undefined : Number(timeout) * 1000,
  });
  const { store } = services.state;
  if (rv === '' || rv === '0') {
    for (const object of store.list(storageKeyOf(type), namespace)) session.initial(object);
    return;
  }
  try {
    for (const event of store.eventsSince(storageKeyOf(type), Number(rv))) session.event(event);
  } catch (err) {
    if (!(err instanceof HistoryExpiredError)) throw err;
    session.fail(expired(err.message));
  }
}
