// SPDX-License-Identifier: MIT
// Create and update as the generic registry does them: metadata rules, status subresource,
// generation, custom-resource admission, managedFields, no-op detection and the commit.

import { randomUUID } from 'node:crypto';
import { formatTimestamp } from './clock.js';
import { defaultCrd, validateCrd } from './crd-definition.js';
import type { FieldError } from './field-errors.js';
import { clone, deepEqual, isObject, omitKeys, type KubeObject } from './json-value.js';
import { recordUpdate, type OwnershipScope } from './managed-fields.js';
import { admitCustomResource, validateFinalizers, validateName } from './object-validation.js';
import { apiVersionOf, groupKindOf, groupResourceOf, storageKeyOf, type ResourceType } from './resource-type.js';
import { foldSecretStringData } from './secret-string-data.js';
import type { ServerState } from './server-state.js';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound, STALE_OBJECT } from './status-error.js';
import type { WriteOptions, WriteResult } from './write-options.js';

/** How the new state was produced: managedFields are recorded as Update unless apply did it. */
export type Ownership = 'update' | 'apply';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Typed clients may omit apiVersion/kind, which the URL then implies; a mismatch is a 400. */
function checkKind(type: ResourceType, body: KubeObject): void {
  body.apiVersion ||= apiVersionOf(type);
  body.kind ||= type.kind;
  if (body.apiVersion !== apiVersionOf(type) || body.kind !== type.kind) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`);
  }
}

/** The non-metadata content whose change bumps `generation`. */
function specOf(type: ResourceType, object: KubeObject): unknown {
  return omitKeys(object, type.statusSubresource ? ['metadata', 'status', 'apiVersion', 'kind'] : ['metadata', 'apiVersion', 'kind']);
}

/** Writes objects through the rules of the real registry. */
export class ResourceWriter {
  /** Binds the writer to the shared state. */
  constructor(private readonly state: ServerState) {}

  /** The stored object or a 404. */
  existing(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.state.store.get(storageKeyOf(type), namespace, name);
    if (found === undefined) throw notFound(groupResourceOf(type), name);
    return found;
  }

  /** POST: creates `body` (or, from apply, an already merged object). */
  create(type: ResourceType, namespace: string | undefined, body: KubeObject, options: WriteOptions, ownership: Ownership = 'update'): WriteResult {
    checkKind(type, body);
    const object = clone(body);
    const meta = object.metadata ?? {};
    object.metadata = meta;
    if (type.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
      this.requireNamespace(namespace!);
    } else {
      delete meta.namespace;
    }
    if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string' && meta.generateName !== '') {
      meta.name = meta.generateName + Array.from({ length: 5 }, () => NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)]).join('');
    }
    const errors: FieldError[] = validateName(type, meta.name);
    if (errors.length > 0) throw invalid(groupKindOf(type), meta.name ?? '', errors);
    if (type.statusSubresource && type.kind !== 'Namespace') delete object.status;
    for (const key of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete meta[key];
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTimestamp(this.state.clock.now());
    if (type.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    if (type.kind === 'Namespace') {
      object.spec = { finalizers: ['kubernetes'] };
      object.status = { phase: 'Active' };
    }
    foldSecretStringData(type, object);
    const warnings = this.admit(type, object, undefined, options);
    if (ownership === 'update') {
      delete meta.managedFields;
      recordUpdate(undefined, object, this.identity(type, options, undefined), type.custom?.schema, { statusSubresource: type.statusSubresource });
    }
    const storageKey = storageKeyOf(type);
    if (this.state.store.get(storageKey, meta.namespace, meta.name!) !== undefined) throw alreadyExists(groupResourceOf(type), meta.name!);
    if (options.dryRun) return { object: this.present(type, object), code: 201, warnings };
    const stored = this.state.store.put(storageKey, object);
    this.notify(type, stored, false);
    return { object: this.present(type, stored), code: 201, warnings };
  }

  /** PUT (main resource or status): replaces the object, with the optimistic-concurrency rules. */
  update(type: ResourceType, namespace: string | undefined, name: string, body: KubeObject, options: WriteOptions): WriteResult {
    checkKind(type, body);
    if (body.metadata?.name !== undefined && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    const old = this.existing(type, namespace, name);
    const rv = body.metadata?.resourceVersion;
    if (rv === undefined || rv === '') {
      if (!type.unconditionalUpdate) {
        throw invalid(groupKindOf(type), name, [
          { type: 'FieldValueInvalid', field: 'metadata.resourceVersion', value: '0x0', literal: true, detail: 'must be specified for an update' },
        ]);
      }
    } else if (rv !== old.metadata.resourceVersion) {
      throw conflict(groupResourceOf(type), name, STALE_OBJECT);
    }
    return this.replace(type, old, body, options);
  }

  /** Commits `next` over `old` after every update rule; shared by PUT, PATCH and apply. */
  replace(type: ResourceType, old: KubeObject, body: KubeObject, options: WriteOptions, ownership: Ownership = 'update'): WriteResult {
    const { subresource } = options;
    let next = clone(body);
    next.metadata = isObject(next.metadata) ? next.metadata : {};
    if (type.statusSubresource && subresource === undefined) {
      if (old.status === undefined) delete next.status;
      else next.status = clone(old.status);
    } else if (subresource === 'status') {
      const status = next.status;
      const managedFields = next.metadata.managedFields;
      next = clone(old);
      if (status === undefined) delete next.status;
      else next.status = status;
      if (ownership === 'apply') next.metadata.managedFields = managedFields;
    }
    const meta = next.metadata;
    for (const key of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name', 'generation'] as const) {
      if (old.metadata[key] === undefined) delete meta[key];
      else meta[key] = clone(old.metadata[key]) as never;
    }
    meta.resourceVersion = old.metadata.resourceVersion;
    if (type.kind === 'Namespace' && subresource === undefined) next.spec = clone(old.spec);
    if (subresource === undefined) foldSecretStringData(type, next);
    const finalizerErrors = validateFinalizers(old, next);
    if (finalizerErrors.length > 0) throw invalid(groupKindOf(type), old.metadata.name!, finalizerErrors);
    const warnings = this.admit(type, next, old, options);
    if (type.tracksGeneration && !deepEqual(specOf(type, old), specOf(type, next))) meta.generation = (old.metadata.generation ?? 0) + 1;
    if (ownership === 'update') {
      meta.managedFields = old.metadata.managedFields;
      const scope: OwnershipScope = { subresource, statusSubresource: type.statusSubresource };
      recordUpdate(old, next, this.identity(type, options, subresource), type.custom?.schema, scope);
    }
    if (deepEqual(next, old)) return { object: this.present(type, old), code: 200, warnings };
    if (options.dryRun) return { object: this.present(type, next), code: 200, warnings };
    const storageKey = storageKeyOf(type);
    if (meta.deletionTimestamp !== undefined && (meta.finalizers ?? []).length === 0) {
      const gone = this.state.store.remove(storageKey, next)!;
      this.notify(type, gone, true);
      return { object: this.present(type, gone), code: 200, warnings };
    }
    const stored = this.state.store.put(storageKey, next);
    this.notify(type, stored, false);
    return { object: this.present(type, stored), code: 200, warnings };
  }

  /** The object as served at `type`'s version. */
  present(type: ResourceType, object: KubeObject): KubeObject {
    return { ...object, apiVersion: apiVersionOf(type) };
  }

  /** Runs listeners (CRD registration, garbage collection) after a commit. */
  notify(type: ResourceType, object: KubeObject, removed: boolean): void {
    for (const listener of this.state.commitListeners) listener(type, object, removed);
  }

  private identity(type: ResourceType, options: WriteOptions, subresource: 'status' | undefined): { manager: string; apiVersion: string; time: string; subresource?: 'status' } {
    const identity = { manager: options.fieldManager, apiVersion: apiVersionOf(type), time: formatTimestamp(this.state.clock.now()) };
    return subresource === undefined ? identity : { ...identity, subresource };
  }

  private admit(type: ResourceType, object: KubeObject, old: KubeObject | undefined, options: WriteOptions): string[] {
    if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition') {
      const crdErrors = validateCrd(object);
      if (crdErrors.length > 0) throw invalid(groupKindOf(type), object.metadata.name ?? '', crdErrors);
      defaultCrd(object);
    }
    const outcome = admitCustomResource(type, object, old, this.state.cel);
    const unknown = outcome.pruned.map((path) => `unknown field ${JSON.stringify(path)}`);
    if (unknown.length > 0 && options.fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${unknown.join(', ')}`);
    if (outcome.errors.length > 0) throw invalid(groupKindOf(type), object.metadata.name ?? '', outcome.errors);
    return options.fieldValidation === 'Warn' ? unknown : [];
  }

  private requireNamespace(namespace: string): void {
    const ns = this.state.store.get('/namespaces', undefined, namespace);
    if (ns === undefined) throw notFound({ group: '', name: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp !== undefined) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace,
        kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }
}
