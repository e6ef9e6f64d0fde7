// SPDX-License-Identifier: MIT
// One watch connection: newline-delimited events with selector transitions, bookmarks, timeout,
// and the test hooks' delays, garbage lines and drops.

import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { matchesFields, type FieldSelector } from './field-selector.js';
import type { KubeObject } from './json-value.js';
import { matchesLabels, type LabelSelector } from './label-selector.js';
import type { StoreEvent } from './object-store.js';
import { apiVersionOf, type ResourceType } from './resource-type.js';
import type { ApiError } from './status-error.js';

/** What a watch selects. */
export interface WatchFilter {
  type: ResourceType;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldSelector;
}

/** Per-session settings. */
export interface WatchSettings {
  bookmarks: boolean;
  bookmarkIntervalMs: number;
  timeoutMs?: number;
  /** Read at every send, so a test can change it while the watch runs. */
  delayMs: () => number;
  currentRv: () => number;
}

/** A running watch response. */
export class WatchSession {
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private pending: Promise<void> = Promise.resolve();
  private queued = 0;

  /** Starts streaming: headers go out at once; `onClose` runs when the stream ends for any reason. */
  constructor(
    private readonly res: ServerResponse,
    private readonly filter: WatchFilter,
    private readonly settings: WatchSettings,
    private readonly onClose: () => void,
  ) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    res.on('close', () => this.close());
    if (settings.bookmarks) this.timers.push(setInterval(() => this.bookmark(), settings.bookmarkIntervalMs));
    if (settings.timeoutMs !== undefined) this.timers.push(setTimeout(() => this.close(), settings.timeoutMs));
  }

  private matches(object: KubeObject): boolean {
    const ns = this.filter.namespace;
    if (ns !== undefined && object.metadata.namespace !== ns) return false;
    return matchesLabels(this.filter.labels, object.metadata.labels) && matchesFields(this.filter.fields, object);
  }

  private present(object: KubeObject): KubeObject {
    return { ...object, apiVersion: apiVersionOf(this.filter.type) };
  }

  /** Sends an ADDED for an object that exists when the watch starts from RV "" or "0". */
  initial(object: KubeObject): void {
    if (this.matches(object)) this.write({ type: 'ADDED', object: this.present(object) });
  }

  /** Relays a store event, turning selector transitions into ADDED/DELETED as the apiserver does. */
  event(event: StoreEvent): void {
    const now = this.matches(event.object);
    const before = event.previous !== undefined && event.type === 'MODIFIED' ? this.matches(event.previous) : now;
    if (event.type === 'MODIFIED' && before !== now) {
      this.write({ type: now ? 'ADDED' : 'DELETED', object: this.present(event.object) });
    } else if (now) {
      this.write({ type: event.type, object: this.present(event.object) });
    }
  }

  /** Sends a BOOKMARK at the current resourceVersion (if bookmarks were asked for). */
  bookmark(): void {
    if (!this.settings.bookmarks) return;
    const object = { kind: this.filter.type.kind, apiVersion: apiVersionOf(this.filter.type), metadata: { resourceVersion: String(this.settings.currentRv()) } };
    this.write({ type: 'BOOKMARK', object });
  }

  /** Sends the ERROR event for `error` (e.g. 410 Expired) and ends the stream. */
  fail(error: ApiError): void {
    this.write({ type: 'ERROR', object: error.toStatus() });
    this.enqueue(() => this.close());
  }

  /** Writes a line that is not JSON, to exercise client error handling. */
  garbage(): void {
    this.enqueue(() => this.res.write('this is not json\n'));
  }

  /** Ends the stream (gracefully, so the client sees a normal end of body). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    if (!this.res.writableEnded) this.res.end();
    this.onClose();
  }

  /** Cuts the connection without a proper end of the chunked body. */
  abort(): void {
    this.res.socket?.destroy();
    this.close();
  }

  private write(event: { type: string; object: object }): void {
    const line = `${JSON.stringify(event)}\n`;
    this.enqueue(() => this.res.write(line));
  }

  private enqueue(action: () => void): void {
    const delay = this.settings.delayMs();
    if (delay <= 0 && this.queued === 0) {
      if (!this.closed) action();
      return;
    }
    this.queued++;
    this.pending = this.pending.then(async () => {
      if (delay > 0) await sleep(delay);
      this.queued--;
      if (!this.closed) action();
    });
  }
}
