// SPDX-License-Identifier: MIT
// OpenAPI v3 discovery: the `/openapi/v3` index and one document per group/version, enough for
// kubectl's field-validation check (PATCH parameters) and `kubectl explain` (schemas by GVK).

import { createHash } from 'node:crypto';
import type { JsonObject } from './json-value.js';
import type { JsonSchema } from './json-schema.js';
import type { ResourceRegistry } from './resource-registry.js';
import type { ResourceType } from './resource-type.js';

const OBJECT_META_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

const QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

/** The URL path segment of a group/version: `api/v1` or `apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** The component name of a kind: `<reversed group>.<version>.<Kind>`, as for CRDs. */
function schemaName(type: ResourceType, suffix = ''): string {
  const reversed = type.group === '' ? 'io.k8s.api.core' : type.group.split('.').reverse().join('.');
  return `${reversed}.${type.version}.${type.kind}${suffix}`;
}

function kindSchema(type: ResourceType): JsonObject {
  const base: JsonSchema = type.custom?.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties: Record<string, unknown> = {
    ...(base.properties ?? {}),
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { allOf: [{ $ref: `#/components/schemas/${OBJECT_META_REF}` }], default: {}, description: "Standard object's metadata." },
  };
  return {
    ...base,
    type: 'object',
    properties,
    'x-kubernetes-group-version-kind': [{ group: type.group, version: type.version, kind: type.kind }],
  };
}

function listSchema(type: ResourceType): JsonObject {
  return {
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      items: { type: 'array', items: { allOf: [{ $ref: `#/components/schemas/${schemaName(type)}` }], default: {} } },
      metadata: { allOf: [{ $ref: `#/components/schemas/${LIST_META_REF}` }], default: {} },
    },
    'x-kubernetes-group-version-kind': [{ group: type.group, version: type.version, kind: type.listKind }],
  };
}

function operation(type: ResourceType, action: string, body: boolean): JsonObject {
  const ref = { $ref: `#/components/schemas/${schemaName(type)}` };
  const op: JsonObject = {
    operationId: `${action}${type.kind}`,
    parameters: QUERY_PARAMETERS,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: type.group, version: type.version, kind: type.kind },
  };
  if (body) {
    const types = action === 'patch'
      ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', ...(type.strategicMerge ? ['application/strategic-merge-patch+json'] : [])]
      : ['application/json'];
    op.requestBody = { content: Object.fromEntries(types.map((t) => [t, { schema: action === 'patch' ? { type: 'object' } : ref }])), required: true };
  }
  return op;
}

function pathsFor(type: ResourceType): Record<string, JsonObject> {
  const prefix = `/${groupVersionPath(type.group, type.version)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`;
  const item = { get: operation(type, 'get', false), put: operation(type, 'put', true), patch: operation(type, 'patch', true), delete: operation(type, 'delete', false) };
  const paths: Record<string, JsonObject> = {
    [prefix]: { get: operation(type, 'list', false), post: operation(type, 'post', true) },
    [`${prefix}/{name}`]: item,
  };
  if (type.statusSubresource) paths[`${prefix}/{name}/status`] = { get: operation(type, 'get', false), put: operation(type, 'put', true), patch: operation(type, 'patch', true) };
  return paths;
}

const META_SCHEMAS: Record<string, JsonObject> = {
  [OBJECT_META_REF]: {
    type: 'object',
    description: 'ObjectMeta is metadata that all persisted resources must have.',
    properties: {
      name: { type: 'string', description: 'Name must be unique within a namespace.' },
      namespace: { type: 'string', description: 'Namespace defines the space within which each name must be unique.' },
      labels: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Map of string keys and values.' },
      annotations: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Annotations is an unstructured key value map.' },
      finalizers: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'set' },
      resourceVersion: { type: 'string' },
      uid: { type: 'string' },
      generation: { type: 'integer', format: 'int64' },
    },
  },
  [LIST_META_REF]: { type: 'object', properties: { continue: { type: 'string' }, resourceVersion: { type: 'string' } } },
};

/** The OpenAPI v3 document of one group/version, or undefined when nothing is served there. */
export function openApiDocument(registry: ResourceRegistry, group: string, version: string): JsonObject | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const schemas: Record<string, JsonObject> = { ...META_SCHEMAS };
  for (const t of types) {
    schemas[schemaName(t)] = kindSchema(t);
    schemas[schemaName(t, 'List')] = listSchema(t);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: Object.assign({}, ...types.map(pathsFor)) as JsonObject,
    components: { schemas },
  };
}

/** The `/openapi/v3` index, each entry pointing at its document with a content hash. */
export function openApiIndex(registry: ResourceRegistry): JsonObject {
  const gvs: [string, string][] = [['', 'v1'], ...registry.groups().flatMap((g) => g.versions.map((v): [string, string] => [g.name, v]))];
  const paths: JsonObject = {};
  for (const [group, version] of gvs) {
    const doc = openApiDocument(registry, group, version);
    if (doc === undefined) continue;
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
    const path = groupVersionPath(group, version);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}
