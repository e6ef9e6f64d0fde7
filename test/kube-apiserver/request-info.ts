// SPDX-License-Identifier: MIT
// Splits an API path into group, version, namespace, resource, name and subresource, and names
// the Kubernetes verb, as the apiserver's RequestInfoFactory does.

/** What a resource request addresses. */
export interface RequestInfo {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** get, list, watch, create, update, patch, delete or deletecollection. */
  verb: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function verbOf(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
      return hasName ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** Parses `/api/v1/...` or `/apis/<g>/<v>/...`; undefined for anything else (discovery, openapi). */
export function parseRequestInfo(method: string, url: URL): RequestInfo | undefined {
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(2);
  } else {
    return undefined;
  }
  const version = rest[0];
  let segments = rest.slice(1);
  let namespace: string | undefined;
  if (segments[0] === 'namespaces' && segments.length > 1) {
    namespace = segments[1];
    if (segments.length > 2 && !NAMESPACE_SUBRESOURCES.has(segments[2])) segments = segments.slice(2);
    else namespace = undefined;
  }
  const [resource, name, subresource] = segments;
  if (resource === undefined || segments.length > 3) return undefined;
  const watch = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
  return { group, version, namespace, resource, name, subresource, verb: verbOf(method, name !== undefined, watch) };
}
