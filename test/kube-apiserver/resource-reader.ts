// SPDX-License-Identifier: MIT
// GET and LIST: resourceVersion semantics, selectors, and limit/continue pagination over a
// consistent snapshot rebuilt from the event history.

import { matchesFields, parseFieldSelector } from './field-selector.js';
import type { JsonObject, KubeObject } from './json-value.js';
import { matchesLabels, parseLabelSelector } from './label-selector.js';
import { HistoryExpiredError } from './object-store.js';
import { apiVersionOf, storageKeyOf, type ResourceType } from './resource-type.js';
import type { ServerState } from './server-state.js';
import { badRequest, expired } from './status-error.js';

/** A list page: the List object and its items (kept apart for Table rendering). */
export interface ListPage {
  items: KubeObject[];
  metadata: JsonObject;
}

interface ContinueToken {
  rv: number;
  start: string;
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}

function decodeToken(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string') return parsed;
  } catch {
    // Fall through to the 400 below.
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** Serves reads from the store. */
export class ResourceReader {
  /** Binds the reader to the shared state. */
  constructor(private readonly state: ServerState) {}

  /** One page of the collection (all namespaces when `namespace` is undefined). */
  list(type: ResourceType, namespace: string | undefined, query: URLSearchParams): ListPage {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'));
    const limit = Number(query.get('limit') ?? '0');
    const token = query.get('continue');
    const requestedRv = query.get('resourceVersion') ?? '';
    const { store } = this.state;
    let rv = store.currentRv();
    let start = '';
    let objects: KubeObject[];
    try {
      if (token !== null && token !== '') {
        ({ rv, start } = decodeToken(token));
        objects = store.listAt(storageKeyOf(type), rv, namespace);
      } else if (query.get('resourceVersionMatch') === 'Exact' && requestedRv !== '') {
        rv = Number(requestedRv);
        objects = store.listAt(storageKeyOf(type), rv, namespace);
      } else {
        objects = store.list(storageKeyOf(type), namespace);
      }
    } catch (err) {
      if (!(err instanceof HistoryExpiredError)) throw err;
      throw token !== null ? expired(CONTINUE_EXPIRED) : expired(`too old resource version: ${err.requested} (${err.oldest})`);
    }
    const selected = objects
      .filter((o) => start === '' || keyOf(o) > start)
      .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o))
      .map((o) => ({ ...o, apiVersion: apiVersionOf(type) }));
    const metadata: JsonObject = { resourceVersion: String(rv) };
    if (limit > 0 && selected.length > limit) {
      const page = selected.slice(0, limit);
      metadata.continue = Buffer.from(JSON.stringify({ rv, start: keyOf(page[page.length - 1]) })).toString('base64url');
      if (labels.length === 0 && fields.length === 0) metadata.remainingItemCount = selected.length - limit;
      return { items: page, metadata };
    }
    return { items: selected, metadata };
  }

  /** The List object for a page. */
  listObject(type: ResourceType, page: ListPage): JsonObject {
    return { apiVersion: apiVersionOf(type), kind: type.listKind, metadata: page.metadata, items: page.items };
  }
}
