// SPDX-License-Identifier: MIT
// The narrow Kubernetes client the operator's controllers use: typed by resource, fakeable in unit
// tests, and implemented on @kubernetes/client-node in rest-kube-client.ts.

import type { KubeObject, ObjectList } from './kube-object.js';
import type { ResourceType } from './resources.js';

/** `merge` is RFC 7386 JSON merge patch, `json` RFC 6902 JSON patch, `apply` server-side apply. */
export type PatchType = 'merge' | 'json' | 'apply';

/** A patch: its body and type, optionally on a subresource (`status`); `force` takes fields over in server-side apply. */
export interface Patch {
  readonly body: unknown;
  readonly type: PatchType;
  readonly subresource?: string;
  readonly force?: boolean;
}

/** One watch event; ERROR carries a `Status` object (410 Expired when the resourceVersion is too old). */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: KubeObject;
}

/** Which objects a list or watch covers. */
export interface Selection {
  /** Undefined: every namespace. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** A running watch. `done` settles when the stream ends: null for a clean close, else the error. */
export interface WatchStream {
  readonly done: Promise<Error | null>;
  stop(): void;
}

/** The operations the operator needs, every write under the operator's field manager. */
export interface KubeClient {
  /** The object, or undefined when it does not exist. */
  get<T extends KubeObject>(type: ResourceType, namespace: string, name: string): Promise<T | undefined>;
  list<T extends KubeObject>(type: ResourceType, selection: Selection & { readonly limit?: number; readonly continue?: string }): Promise<ObjectList<T>>;
  /** Throws KubeApiError AlreadyExists when the name is taken. */
  create<T extends KubeObject>(type: ResourceType, object: T): Promise<T>;
  /** PUT with the object's resourceVersion as precondition: throws KubeApiError Conflict when stale. */
  replace<T extends KubeObject>(type: ResourceType, object: T, subresource?: string): Promise<T>;
  patch<T extends KubeObject>(type: ResourceType, namespace: string, name: string, change: Patch): Promise<T>;
  /** Deletes; an object already gone is not an error. */
  delete(type: ResourceType, namespace: string, name: string, preconditions?: { readonly uid?: string; readonly resourceVersion?: string }): Promise<void>;
  /** Watches from `resourceVersion` (exclusive), with bookmarks. */
  watch(
    type: ResourceType,
    selection: Selection & { readonly resourceVersion: string; readonly timeoutSeconds?: number },
    onEvent: (event: WatchEvent) => void,
  ): Promise<WatchStream>;
}
