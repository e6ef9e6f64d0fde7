// SPDX-License-Identifier: MIT
// The revision of key material kept in files: a digest of their paths and contents, so a
// Kubernetes `..data` symlink swap counts as a change even though no watched file was written.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A SHA-256 over each path and its content, in order; a missing or unreadable file digests as absent. */
export async function filesRevision(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const path of paths) {
    hash.update(path);
    hash.update(await readFile(path).catch(() => Buffer.from('(absent)')));
  }
  return hash.digest('hex');
}
