// SPDX-License-Identifier: MIT
// List-then-watch of one resource into a local cache, the client-go reflector's loop: it resumes
// each watch from the last resourceVersion seen (bookmarks included), relists only when the server
// says that version is gone (410), and reconnects with a growing, jittered delay after errors.

import type { Clock } from './clock.js';
import { sleep } from './clock.js';
import type { KubeClient, Selection, WatchEvent } from '../kube/kube-client.js';
import { isGone, KubeApiError } from '../kube/kube-api-error.js';
import { objectKey, type KubeObject } from '../kube/kube-object.js';
import type { ResourceType } from '../kube/resources.js';
import type { Logger } from '../observability/logger.js';

/** What a cache change was. */
export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** How a reflector is set up. */
export interface ReflectorOptions {
  readonly client: KubeClient;
  readonly type: ResourceType;
  readonly selection: Selection;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called for every change of the cache, after it is applied. */
  readonly onChange: (type: CacheEventType, object: KubeObject) => void;
  /** Reconnect delays after errors: from `initialMs`, doubling, capped at `maxMs`. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Server-side watch timeout; each watch then ends cleanly and resumes. */
  readonly watchTimeoutSeconds?: number;
}

const LIST_PAGE_SIZE = 500;

/** One resource's cache, kept current by list + watch. */
export class Reflector {
  private readonly cache = new Map<string, KubeObject>();
  private resourceVersion: string | undefined;
  private syncedOnce = false;
  private readonly syncWaiters: (() => void)[] = [];
  private failures = 0;

  constructor(private readonly options: ReflectorOptions) {}

  /** The cached object of `namespace/name`. */
  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  /** Every cached object. */
  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  /** True once the first list has filled the cache. */
  get hasSynced(): boolean {
    return this.syncedOnce;
  }

  /** Resolves once the first list has filled the cache. */
  synced(): Promise<void> {
    return this.syncedOnce ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Runs until `signal` aborts. Never rejects: errors are logged and retried. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        await this.watchOnce(signal);
        this.failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (isGone(error)) {
          this.options.log.info('watch resourceVersion expired; relisting', { resource: this.options.type.plural });
          this.resourceVersion = undefined;
          continue;
        }
        this.failures += 1;
        const delay = this.backoffDelay();
        this.options.log.warn('list or watch failed; retrying', { resource: this.options.type.plural, delayMs: delay, err: errorMessage(error) });
        await sleep(this.options.clock, delay, signal);
      }
    }
  }

  private backoffDelay(): number {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 800, maxMs: 30_000 };
    const base = Math.min(maxMs, initialMs * 2 ** (this.failures - 1));
    // Jitter spreads reconnects of many replicas after an API server restart.
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** Lists every page and makes the cache equal to it, reporting each difference. */
  private async relist(): Promise<void> {
    const { client, type, selection } = this.options;
    const seen = new Map<string, KubeObject>();
    let continueToken: string | undefined;
    let listVersion: string | undefined;
    do {
      const page = await client.list(type, { ...selection, limit: LIST_PAGE_SIZE, continue: continueToken });
      for (const item of page.items) seen.set(objectKey(item), item);
      continueToken = page.metadata?.continue === '' ? undefined : page.metadata?.continue;
      listVersion ??= page.metadata?.resourceVersion;
    } while (continueToken !== undefined);
    for (const [key, object] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.options.onChange('DELETED', object);
      }
    }
    for (const [key, object] of seen) {
      const previous = this.cache.get(key);
      this.cache.set(key, object);
      if (previous === undefined) this.options.onChange('ADDED', object);
      else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.options.onChange('MODIFIED', object);
    }
    this.resourceVersion = listVersion ?? '';
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  /** Watches from the current resourceVersion until the stream ends. Throws KubeApiError 410 to relist. */
  private async watchOnce(signal: AbortSignal): Promise<void> {
    const { client, type, selection } = this.options;
    let gone: Error | undefined;
    const stream = await client.watch(
      type,
      { ...selection, resourceVersion: this.resourceVersion ?? '', timeoutSeconds: this.options.watchTimeoutSeconds ?? 300 },
      (event) => {
        const problem = this.apply(event);
        if (problem !== undefined) {
          gone = problem;
          stream.stop();
        }
      },
    );
    const onAbort = (): void => stream.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const ended = await stream.done;
      if (gone !== undefined) throw gone;
      if (ended !== null && !signal.aborted) throw ended;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Applies one watch event; returns the error that ends the watch (ERROR events), if any. */
  private apply(event: WatchEvent): Error | undefined {
    const version = event.object.metadata?.resourceVersion;
    switch (event.type) {
      case 'BOOKMARK':
        if (version !== undefined) this.resourceVersion = version;
        return undefined;
      case 'ERROR':
        return watchError(event.object);
      case 'DELETED':
        this.cache.delete(objectKey(event.object));
        break;
      case 'ADDED':
      case 'MODIFIED':
        this.cache.set(objectKey(event.object), event.object);
        break;
    }
    if (version !== undefined) this.resourceVersion = version;
    this.options.onChange(event.type, event.object);
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error an ERROR watch event carries (a Status object); 410 Expired means: relist. */
function watchError(status: KubeObject): KubeApiError {
  const body = status as KubeObject & { readonly code?: number; readonly reason?: string; readonly message?: string };
  return new KubeApiError(body.code ?? 500, body.reason ?? 'Unknown', `watch: ${body.message ?? 'error event'}`);
}
