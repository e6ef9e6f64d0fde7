// SPDX-License-Identifier: MIT
// The feed's error catalogue: each code is declared with its HTTP status, as fastify declares its
// own errors, so one table decides what is the client's fault. Engine errors (ReposignError) map
// through their origin in `httpStatusOf`.

import { isReposignError, type ErrorOrigin } from '@reposign/signing';

const FEED_ERROR_STATUS = {
  /** The configuration cannot be used; the process exits 78 at startup. */
  CONFIG_INVALID: 500,
  FEED_BAD_REQUEST: 400,
  FEED_SIGNATURE_REJECTED: 400,
  FEED_UNAUTHORIZED: 401,
  FEED_FORBIDDEN: 403,
  FEED_PACKAGE_NOT_FOUND: 404,
  FEED_PACKAGE_EXISTS: 409,
  FEED_PACKAGE_TOO_LARGE: 413,
  /** The Host header names neither PublicBaseUrl nor an allowed host. */
  FEED_MISDIRECTED: 421,
  /** Too many wrong API keys from one client address; the reply carries Retry-After. */
  FEED_TOO_MANY_REQUESTS: 429,
  FEED_STORAGE_FAILED: 500,
  FEED_DATABASE_FAILED: 500,
  /** Every database connection is busy for longer than the acquisition timeout. */
  FEED_DATABASE_BUSY: 503,
  /** The database server cannot be reached or cut the connection (stopped, restarting). */
  FEED_DATABASE_UNAVAILABLE: 503,
  FEED_SIGNING_UNAVAILABLE: 503,
  /** The storage volume (or the database's) is out of space or quota (ENOSPC, EDQUOT): the server's fault, retry later. */
  FEED_STORAGE_FULL: 503,
  /** The storage volume cannot be written (EIO, EROFS): the server's fault, retry later. */
  FEED_STORAGE_UNAVAILABLE: 503,
  /** Another process holds the embedded data folder; the process exits 75 at startup. */
  FEED_DATA_FOLDER_IN_USE: 503,
  /** The database is empty but storage holds pushed packages; the process exits 65 at startup. */
  FEED_INDEX_LOST: 503,
  /** Startup failed for a reason outside the configuration (disk, database, port). */
  FEED_STARTUP_FAILED: 500,
} as const satisfies Record<string, number>;

/** Every error code the feed itself raises. */
export type FeedErrorCode = keyof typeof FEED_ERROR_STATUS;

/** The HTTP status of an engine error, by whose fault it is. */
const ORIGIN_STATUS: Record<ErrorOrigin, number> = { package: 400, caller: 400, key: 500, service: 503 };

/** The error the feed's own layers throw; its status is declared with its code. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly code: FeedErrorCode;

  constructor(code: FeedErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** The HTTP status declared for this error's code. */
  get statusCode(): number {
    return FEED_ERROR_STATUS[this.code];
  }
}

/** True when `error` is a FeedError, optionally with the given code. */
export function isFeedError(error: unknown, code?: FeedErrorCode): error is FeedError {
  return error instanceof FeedError && (code === undefined || error.code === code);
}

/** The HTTP status of a feed or engine error, or undefined for any other error. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof FeedError) return error.statusCode;
  if (isReposignError(error)) return ORIGIN_STATUS[error.origin];
  return undefined;
}

/** True when the request, not the server, is at fault: a 4xx by the catalogue. */
export function isClientFault(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status !== undefined && status < 500;
}
