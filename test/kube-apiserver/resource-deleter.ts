// SPDX-License-Identifier: MIT
// DELETE: preconditions, propagation policy finalizers, graceful deletion with finalizers, and the
// answer (the object for custom resources, a success Status for built-ins).

import { formatTimestamp } from './clock.js';
import { clone, isObject, type JsonObject, type KubeObject } from './json-value.js';
import { groupResourceOf, storageKeyOf, type ResourceType } from './resource-type.js';
import type { ResourceWriter } from './resource-writer.js';
import type { ServerState } from './server-state.js';
import { badRequest, conflict } from './status-error.js';

/** The finalizers the garbage collector acts on for Orphan and Foreground deletion. */
export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** `DeleteOptions` fields the fake honours. */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  dryRun?: string[];
}

/** The response of a delete. */
export interface DeleteResult {
  code: number;
  body: JsonObject;
}

/** Reads DeleteOptions from the body (if any) and the query string. */
export function readDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = isObject(body) ? (clone(body)) : {};
  const policy = query.get('propagationPolicy');
  if (policy !== null) options.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (query.getAll('dryRun').includes('All')) options.dryRun = ['All'];
  if (options.propagationPolicy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(options.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(options.propagationPolicy)}`);
  }
  return options;
}

/** Deletes objects through the writer's commit path. */
export class ResourceDeleter {
  /** Binds the deleter to the writer and shared state. */
  constructor(
    private readonly state: ServerState,
    private readonly writer: ResourceWriter,
  ) {}

  /** DELETE `/…/<name>`. */
  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions): DeleteResult {
    const old = this.writer.existing(type, namespace, name);
    this.checkPreconditions(type, old, options);
    const next = clone(old);
    const finalizers = new Set(next.metadata.finalizers ?? []);
    if (old.metadata.deletionTimestamp === undefined) {
      if (options.propagationPolicy === 'Orphan') finalizers.add(ORPHAN_FINALIZER);
      if (options.propagationPolicy === 'Foreground') finalizers.add(FOREGROUND_FINALIZER);
    }
    const dryRun = options.dryRun?.includes('All') ?? false;
    const namespaceFinalizers = type.kind === 'Namespace' && type.group === '' && isObject(old.spec) && Array.isArray(old.spec.finalizers) && old.spec.finalizers.length > 0;
    if (finalizers.size > 0 || namespaceFinalizers) {
      if (old.metadata.deletionTimestamp !== undefined) return { code: 200, body: this.writer.present(type, old) };
      if (finalizers.size > 0) next.metadata.finalizers = [...finalizers];
      if (namespaceFinalizers) next.status = { phase: 'Terminating' };
      next.metadata.deletionTimestamp = formatTimestamp(this.state.clock.now());
      next.metadata.deletionGracePeriodSeconds = 0;
      if (dryRun) return { code: 200, body: this.writer.present(type, next) };
      const stored = this.state.store.put(storageKeyOf(type), next);
      this.writer.notify(type, stored, false);
      return { code: 200, body: this.writer.present(type, stored) };
    }
    const gone = dryRun ? old : this.state.store.remove(storageKeyOf(type), old)!;
    if (!dryRun) this.writer.notify(type, gone, true);
    if (type.returnsDeletedObject) return { code: 200, body: this.writer.present(type, gone) };
    return {
      code: 200,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: type.group || undefined, kind: type.plural, uid: old.metadata.uid },
      },
    };
  }

  /** Deletes an object on behalf of a controller (garbage collector, CRD cleanup), ignoring races. */
  deleteQuietly(type: ResourceType, object: KubeObject, policy: DeleteOptions['propagationPolicy'] = 'Background'): void {
    try {
      this.delete(type, object.metadata.namespace, object.metadata.name!, { propagationPolicy: policy, preconditions: { uid: object.metadata.uid } });
    } catch {
      // Already gone or replaced: nothing left for the controller to do.
    }
  }

  private checkPreconditions(type: ResourceType, old: KubeObject, options: DeleteOptions): void {
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid !== undefined && uid !== old.metadata.uid) {
      throw conflict(groupResourceOf(type), old.metadata.name!, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (resourceVersion !== undefined && resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        groupResourceOf(type),
        old.metadata.name!,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
  }
}
