// SPDX-License-Identifier: MIT
// The rows of signed packages this process served lately, so that downloading a package again skips
// the database. Each stored object is immutable under its key, and every change that retires one
// (a hard delete, a re-signing, a re-push after a delete) removes it: a download opens the object
// before it trusts the row, and a row whose object is gone is forgotten and read again. The age
// limit bounds what is left: a row whose object outlived it (its removal failed) is served at most
// that long.

import type { PackageRecord } from '../db/packages-repository.js';

/** How many rows are kept, and for how long (ms): by default 1024 rows (a few MB at most), for 5 s. */
export interface ServedRecordsLimits {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
}

/** Rows of signed versions by id and version, oldest first, at most `maxEntries`, each for `maxAgeMs`. */
export class ServedRecords {
  readonly #entries = new Map<string, { readonly record: PackageRecord; readonly storedAt: number }>();

  constructor(private readonly limits: ServedRecordsLimits = { maxEntries: 1024, maxAgeMs: 5000 }) {}

  /** The row kept for the version, when there is one younger than the age limit. */
  get(idLower: string, versionLower: string): PackageRecord | undefined {
    const key = `${idLower}/${versionLower}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (Date.now() - entry.storedAt < this.limits.maxAgeMs) return entry.record;
    this.#entries.delete(key);
    return undefined;
  }

  /** Keeps the row of a signed version just served, dropping the oldest kept row when full. */
  remember(record: PackageRecord): void {
    const key = `${record.idLower}/${record.versionLower}`;
    this.#entries.delete(key);
    this.#entries.set(key, { record, storedAt: Date.now() });
    if (this.#entries.size > this.limits.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  forget(idLower: string, versionLower: string): void {
    this.#entries.delete(`${idLower}/${versionLower}`);
  }
}
