// SPDX-License-Identifier: MIT
// What the feed needs from package storage. Keys are `/`-separated relative paths.

import type { Writable } from 'node:stream';

/** An object opened for reading: write it out once, or close it unread. */
export interface StoredObject {
  readonly size: number;
  /**
   * Writes the object's bytes to `destination` without ending it, following its backpressure, and
   * releases the object. Rejects when reading fails or the destination closes first.
   */
  writeTo(destination: Writable): Promise<void>;
  /** Releases the object unread. */
  close(): Promise<void>;
}

/** Package storage. Every write is atomic: readers see the whole object or none. */
export interface PackageStore {
  /** Moves the local file `sourcePath` into the store under `key` (the source is consumed). */
  putFile(key: string, sourcePath: string): Promise<void>;
  /** Opens `key`, or returns undefined when it does not exist. */
  open(key: string): Promise<StoredObject | undefined>;
  /** Runs `work` with a local file holding the object's bytes (engine input). */
  withLocalFile<T>(key: string, work: (path: string) => Promise<T>): Promise<T>;
  exists(key: string): Promise<boolean>;
  /** Size and last modification of `key`, or undefined when it does not exist. */
  stat(key: string): Promise<{ readonly size: number; readonly modifiedMs: number } | undefined>;
  /** Deletes `key`; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Keys under `prefix` that are any of `depths` path segments below it, in no particular order; the tree is read once. */
  list(prefix: string, depths: readonly number[]): Promise<string[]>;
  /**
   * A scratch directory on the same volume, for uploads on their way in; the process's own, removed
   * at the next start when the process is gone.
   */
  readonly tempDir: string;
  /** Releases what the store holds (its scratch directory). */
  close(): Promise<void>;
}

/** Storage keys of one package version; the generation keeps re-pushes apart. */
export const packageKeys = {
  /** Where a package copied in by hand is expected (and found by the import scan). */
  dropped: (idLower: string, versionLower: string): string => `packages/${idLower}/${versionLower}/${idLower}.${versionLower}.nupkg`,
  original: (idLower: string, versionLower: string, generation: string): string =>
    `packages/${idLower}/${versionLower}/${generation}/original.nupkg`,
  signed: (idLower: string, versionLower: string, generation: string): string =>
    `packages/${idLower}/${versionLower}/${generation}/${idLower}.${versionLower}.nupkg`,
  /** A copy re-signed by the rotation job; `revision` keeps it apart from the copy being served. */
  resigned: (idLower: string, versionLower: string, generation: string, revision: string): string =>
    `packages/${idLower}/${versionLower}/${generation}/${revision}/${idLower}.${versionLower}.nupkg`,
};
