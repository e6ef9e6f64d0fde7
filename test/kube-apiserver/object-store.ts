// SPDX-License-Identifier: MIT
// The fake's etcd: objects by resource, one global resourceVersion counter and a bounded event history.

import { clone, type KubeObject } from './json-value.js';

/** A committed change, as watches see it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The resourceVersion the change was committed at. */
  rv: number;
  storageKey: string;
  /** The object after the change (for DELETED: the last state, stamped with the deletion's RV). */
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  previous?: KubeObject;
}

/** Thrown by `eventsSince` when the requested resourceVersion was compacted away. */
export class HistoryExpiredError extends Error {
  /** Records the requested and the oldest still available resourceVersion. */
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

function objectKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}

/** Objects, the resourceVersion counter and the watch history. */
export class ObjectStore {
  private rv: number;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  /** Events at or below this resourceVersion are gone. */
  private compactedRv: number;
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  /** Starts the counter at `initialRv`; keeps at most `historyLimit` events. */
  constructor(
    initialRv: number,
    private readonly historyLimit: number,
  ) {
    this.rv = initialRv;
    this.compactedRv = initialRv;
  }

  /** The latest committed resourceVersion. */
  currentRv(): number {
    return this.rv;
  }

  /** A copy of the stored object, if any. */
  get(storageKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.buckets.get(storageKey)?.get(`${namespace ?? ''}/${name}`);
    return found === undefined ? undefined : clone(found);
  }

  /** Copies of the stored objects, in namespace/name order, optionally of one namespace. */
  list(storageKey: string, namespace?: string): KubeObject[] {
    const bucket = this.buckets.get(storageKey);
    if (bucket === undefined) return [];
    return [...bucket.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => clone(o))
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace);
  }

  /** Stores `object` at the next resourceVersion and records the event; returns the stored copy. */
  put(storageKey: string, object: KubeObject): KubeObject {
    const bucket = this.buckets.get(storageKey) ?? new Map<string, KubeObject>();
    this.buckets.set(storageKey, bucket);
    const key = objectKey(object);
    const previous = bucket.get(key);
    const stored = clone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    bucket.set(key, stored);
    this.record({ type: previous === undefined ? 'ADDED' : 'MODIFIED', rv: this.rv, storageKey, object: clone(stored), previous });
    return clone(stored);
  }

  /**
   * Removes the object at the next resourceVersion; returns its last state (`object` itself, which
   * may carry a final change such as emptied finalizers) stamped with that RV.
   */
  remove(storageKey: string, object: KubeObject): KubeObject | undefined {
    const bucket = this.buckets.get(storageKey);
    const previous = bucket?.get(objectKey(object));
    if (bucket === undefined || previous === undefined) return undefined;
    bucket.delete(objectKey(object));
    const gone = clone(object);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record({ type: 'DELETED', rv: this.rv, storageKey, object: clone(gone), previous });
    return gone;
  }

  /** Events of `storageKey` after `rv`; throws HistoryExpiredError when `rv` predates the history. */
  eventsSince(storageKey: string, rv: number): StoreEvent[] {
    if (rv < this.compactedRv) throw new HistoryExpiredError(rv, this.compactedRv + 1);
    return this.history.filter((e) => e.rv > rv && e.storageKey === storageKey).map((e) => clone(e));
  }

  /**
   * The objects of `storageKey` as they were at `rv`, rebuilt by undoing later events; throws
   * HistoryExpiredError when the history no longer reaches back to `rv`.
   */
  listAt(storageKey: string, rv: number, namespace?: string): KubeObject[] {
    const later = this.eventsSince(storageKey, rv).reverse();
    const state = new Map(this.list(storageKey).map((o) => [objectKey(o), o]));
    for (const event of later) {
      if (event.type === 'ADDED') state.delete(objectKey(event.object));
      else state.set(objectKey(event.previous!), event.previous!);
    }
    return [...state.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o)
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace);
  }

  /** Drops the whole history, so that any watch from an older resourceVersion gets 410. */
  compact(): void {
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  /** Calls `listener` for every committed event; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    while (this.history.length > this.historyLimit) this.compactedRv = this.history.shift()!.rv;
    for (const listener of [...this.listeners]) listener(clone(event));
  }
}
