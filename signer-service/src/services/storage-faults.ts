// SPDX-License-Identifier: MIT
// Storage faults (full disk, quota, I/O error, read-only volume) are the server's, never the
// client's or the signing key's: they map to a 503 with Retry-After and a message without paths.

import { sqlState } from '../db/database.js';
import { FeedError } from '../errors.js';

/** errno codes of a volume without space, by the code the error handler answers with. */
const FULL = new Set(['ENOSPC', 'EDQUOT']);
const BROKEN = new Set(['EIO', 'EROFS']);
/** SQLSTATE disk_full (class 53): the database's volume is full. */
const DISK_FULL_SQLSTATE = '53100';

function errnoCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The FeedError for a storage fault found in `error` or its causes (FEED_STORAGE_FULL or
 * FEED_STORAGE_UNAVAILABLE), or undefined when `error` is not one. `action` ends the sentence
 * "The package was not …".
 */
export function storageFaultOf(error: unknown, action: string): FeedError | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (current instanceof FeedError && (current.code === 'FEED_STORAGE_FULL' || current.code === 'FEED_STORAGE_UNAVAILABLE')) return current;
    const code = errnoCode(current);
    if ((code !== undefined && FULL.has(code)) || sqlState(current) === DISK_FULL_SQLSTATE) {
      return new FeedError('FEED_STORAGE_FULL', `The feed's storage is full (${code === DISK_FULL_SQLSTATE ? 'database disk full' : code}): the package was not ${action}. Nothing was stored; try again later.`, { cause: error });
    }
    if (code !== undefined && BROKEN.has(code)) {
      return new FeedError('FEED_STORAGE_UNAVAILABLE', `The feed's storage cannot be written (${code}): the package was not ${action}. Nothing was stored; try again later.`, { cause: error });
    }
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return undefined;
}

/** Rethrows `error` as its storage fault when it is one, otherwise as it is. */
export function rethrowStorageFault(error: unknown, action: string): never {
  throw storageFaultOf(error, action) ?? error;
}
