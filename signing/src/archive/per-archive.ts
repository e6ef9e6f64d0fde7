// SPDX-License-Identifier: MIT
// Reads that depend only on an open archive's bytes, done once per archive: a feed's push
// inspects, reads the nuspec and signs the same open archive, and each step used to parse again.

import type { PackageArchive } from './package-archive.js';

/**
 * Wraps `read` so that it runs once per archive; later calls get the same promise (a failure
 * included: the bytes cannot change while the archive is open).
 */
export function oncePerArchive<T>(read: (archive: PackageArchive) => Promise<T>): (archive: PackageArchive) => Promise<T> {
  const results = new WeakMap<PackageArchive, Promise<T>>();
  return (archive) => {
    let result = results.get(archive);
    if (result === undefined) {
      result = read(archive);
      results.set(archive, result);
    }
    return result;
  };
}
