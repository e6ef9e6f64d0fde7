// SPDX-License-Identifier: MIT
// PATCH in its four content types: JSON patch, merge patch, strategic merge (built-ins only) and
// server-side apply (which creates missing objects).

import { loadYaml } from '@kubernetes/client-node';
import { formatTimestamp } from './clock.js';
import { JsonPatchError, applyJsonPatch } from './json-patch.js';
import { isObject, type KubeObject } from './json-value.js';
import { applyMergePatch } from './merge-patch.js';
import { apiVersionOf, groupResourceOf, storageKeyOf, type ResourceType } from './resource-type.js';
import type { ResourceWriter } from './resource-writer.js';
import { serverSideApply } from './server-side-apply.js';
import type { ServerState } from './server-state.js';
import { badRequest, conflict, invalid, notFound, STALE_OBJECT, unsupportedMediaType } from './status-error.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import type { WriteOptions, WriteResult } from './write-options.js';

/** The patch content types, as `PatchStrategy` in client-node names them. */
export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

function parseBody(contentType: string, raw: string): unknown {
  try {
    return contentType === PATCH_TYPES.apply ? loadYaml(raw) : JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function checkPatchOptions(contentType: string, options: WriteOptions): void {
  if (contentType === PATCH_TYPES.apply && !options.explicitManager) {
    throw invalid({ group: 'meta.k8s.io', name: 'PatchOptions' }, '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' }]);
  }
  if (contentType !== PATCH_TYPES.apply && options.force !== undefined) {
    throw invalid({ group: 'meta.k8s.io', name: 'PatchOptions' }, '', [{ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' }]);
  }
}

/** Applies PATCH requests through the writer. */
export class ResourcePatcher {
  /** Binds the patcher to the writer and shared state. */
  constructor(
    private readonly state: ServerState,
    private readonly writer: ResourceWriter,
  ) {}

  /** PATCH `/…/<name>[/status]`; `contentType` is the media type without parameters. */
  patch(type: ResourceType, namespace: string | undefined, name: string, patch: { contentType: string; raw: string }, options: WriteOptions): WriteResult {
    const { contentType, raw } = patch;
    const accepted = type.strategicMerge ? Object.values(PATCH_TYPES) : Object.values(PATCH_TYPES).filter((t) => t !== PATCH_TYPES.strategic);
    if (!(accepted as string[]).includes(contentType)) {
      throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
    }
    checkPatchOptions(contentType, options);
    const body = parseBody(contentType, raw);
    if (contentType === PATCH_TYPES.apply) return this.apply(type, namespace, name, body, options);
    const old = this.writer.existing(type, namespace, name);
    const current = this.writer.present(type, old);
    let patched: unknown;
    if (contentType === PATCH_TYPES.json) {
      try {
        patched = applyJsonPatch(current, body);
      } catch (err) {
        if (!(err instanceof JsonPatchError)) throw err;
        throw invalid({ group: '', name: '' }, '', [{ type: 'FieldValueInvalid', field: 'patch', value: raw, detail: err.message }]);
      }
    } else {
      if (!isObject(body)) throw badRequest('the patch must be a JSON object');
      patched = contentType === PATCH_TYPES.merge ? applyMergePatch(current, body) : applyStrategicMergePatch(current, body);
    }
    if (!isObject(patched)) throw badRequest('the patched object is not a JSON object');
    const result = patched as KubeObject;
    const rv = isObject(result.metadata) ? result.metadata.resourceVersion : undefined;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) throw conflict(groupResourceOf(type), name, STALE_OBJECT);
    return this.writer.replace(type, old, result, options);
  }

  private apply(type: ResourceType, namespace: string | undefined, name: string, body: unknown, options: WriteOptions): WriteResult {
    const { subresource } = options;
    if (!isObject(body) || !isObject(body.metadata)) throw badRequest('the applied configuration must be an object with metadata');
    const config = body as KubeObject;
    if (config.apiVersion !== apiVersionOf(type) || config.kind !== type.kind) {
      throw badRequest(`the API version in the data (${String(config.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`);
    }
    if (config.metadata.name !== undefined && config.metadata.name !== name) {
      throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
    }
    config.metadata.name = name;
    const old = this.state.store.get(storageKeyOf(type), namespace, name);
    const rv = config.metadata.resourceVersion;
    if (old !== undefined && rv !== undefined && rv !== old.metadata.resourceVersion) throw conflict(groupResourceOf(type), name, STALE_OBJECT);
    if (old === undefined && subresource === 'status') throw notFound(groupResourceOf(type), name);
    const request = {
      manager: options.fieldManager,
      apiVersion: apiVersionOf(type),
      force: options.force ?? false,
      time: formatTimestamp(this.state.clock.now()),
      scope: { subresource, statusSubresource: type.statusSubresource },
    };
    const merged = serverSideApply(old === undefined ? undefined : this.writer.present(type, old), config, type.custom?.schema, request);
    if (old === undefined) return this.writer.create(type, namespace, merged, options, 'apply');
    return this.writer.replace(type, old, merged, options, 'apply');
  }
}
