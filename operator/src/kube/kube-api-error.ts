// SPDX-License-Identifier: MIT
// An error answer of the API server (a `Status` object), with the reasons the operator branches on.

/** The `Status` body the API server sends with an error. */
export interface StatusBody {
  readonly kind?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly code?: number;
}

/**
 * A failed API request. `reason` is the Status reason (`NotFound`, `AlreadyExists`, `Conflict`,
 * `Invalid`, `Expired`, ...); `retryable` is true for conflicts, throttling and server errors, which
 * the work queue retries with back-off.
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.reason = reason;
  }

  /** Conflicts, throttling and server errors: a later attempt may succeed. */
  get retryable(): boolean {
    return this.status === 409 || this.status === 429 || this.status >= 500;
  }
}

/** Builds the error of a non-2xx answer from its status and body. */
export function kubeApiError(status: number, body: string, what: string): KubeApiError {
  let parsed: StatusBody = {};
  try {
    parsed = JSON.parse(body) as StatusBody;
  } catch {
    // Not a Status object (a proxy's page): the HTTP status alone says what happened.
  }
  const reason = parsed.reason ?? (status === 404 ? 'NotFound' : status === 409 ? 'Conflict' : 'Unknown');
  return new KubeApiError(status, reason, `${what}: ${status} ${reason}${parsed.message === undefined ? '' : `: ${parsed.message}`}`);
}

/** True for a 404 answer. */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

/** True for a stale resourceVersion (409 Conflict), not for AlreadyExists. */
export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409 && error.reason === 'Conflict';
}

/** True when a create found the name taken (409 AlreadyExists). */
export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409 && error.reason === 'AlreadyExists';
}

/** True when a watch or list asked for a resourceVersion the server no longer has (410). */
export function isGone(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 410;
}
