// SPDX-License-Identifier: MIT
// All open watches: fans store events out to them and gives tests their hooks (drop, bookmark,
// garbage, delay).

import type { ServerResponse } from 'node:http';
import type { ObjectStore } from './object-store.js';
import { storageKeyOf } from './resource-type.js';
import { WatchSession, type WatchFilter } from './watch-session.js';

/** Options for one new watch. */
export interface OpenWatch {
  filter: WatchFilter;
  bookmarks: boolean;
  timeoutMs?: number;
}

/** Tracks sessions and relays committed events to them. */
export class WatchHub {
  private readonly sessions = new Set<{ session: WatchSession; storageKey: string }>();
  private delayMs = 0;
  private readonly unsubscribe: () => void;

  /** Subscribes to `store`; bookmarks go out every `bookmarkIntervalMs` on watches that asked. */
  constructor(
    private readonly store: ObjectStore,
    private readonly bookmarkIntervalMs: number,
  ) {
    this.unsubscribe = store.subscribe((event) => {
      for (const entry of this.sessions) if (entry.storageKey === event.storageKey) entry.session.event(event);
    });
  }

  /** Starts a watch response on `res`. */
  open(res: ServerResponse, options: OpenWatch): WatchSession {
    const storageKey = storageKeyOf(options.filter.type);
    const entry = {
      storageKey,
      session: new WatchSession(
        res,
        options.filter,
        {
          bookmarks: options.bookmarks,
          bookmarkIntervalMs: this.bookmarkIntervalMs,
          timeoutMs: options.timeoutMs,
          delayMs: () => this.delayMs,
          currentRv: () => this.store.currentRv(),
        },
        () => this.sessions.delete(entry),
      ),
    };
    this.sessions.add(entry);
    return entry.session;
  }

  /** How many watches are open. */
  count(): number {
    return this.sessions.size;
  }

  /** Ends every watch; `abrupt` cuts the sockets instead of ending the bodies. */
  dropAll(abrupt = false): void {
    for (const { session } of [...this.sessions]) {
      if (abrupt) session.abort();
      else session.close();
    }
  }

  /** Sends a BOOKMARK now on every watch that allows bookmarks. */
  bookmarkAll(): void {
    for (const { session } of this.sessions) session.bookmark();
  }

  /** Writes a non-JSON line on every watch. */
  garbageAll(): void {
    for (const { session } of this.sessions) session.garbage();
  }

  /** Holds back every event by `ms` from now on (0 restores immediate delivery). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** Ends all watches and stops listening to the store. */
  shutdown(): void {
    this.dropAll(true);
    this.unsubscribe();
  }
}
