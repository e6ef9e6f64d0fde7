// SPDX-License-Identifier: MIT
// The in-memory log of every request the fake answered, for idempotency and loop assertions.

/** One answered request. */
export interface LoggedRequest {
  method: string;
  /** The Kubernetes verb (get, list, watch, create, update, patch, delete, …) or the HTTP method. */
  verb: string;
  path: string;
  query: string;
  /** The request Content-Type without parameters, if any. */
  contentType?: string;
  fieldManager?: string;
  userAgent?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The HTTP status sent (for watches: the status of the response head). */
  status: number;
  at: Date;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Append-only log with small query helpers. */
export class RequestLog {
  private readonly entries: LoggedRequest[] = [];

  /** Appends an entry. */
  add(entry: LoggedRequest): void {
    this.entries.push(entry);
  }

  /** Every entry so far, oldest first. */
  all(): readonly LoggedRequest[] {
    return [...this.entries];
  }

  /** Entries matching `predicate`. */
  filter(predicate: (entry: LoggedRequest) => boolean): LoggedRequest[] {
    return this.entries.filter(predicate);
  }

  /** Writes (create, update, patch, delete), optionally of one resource. */
  writes(resource?: string): LoggedRequest[] {
    return this.entries.filter((e) => WRITE_VERBS.has(e.verb) && (resource === undefined || e.resource === resource));
  }

  /** Forgets everything logged so far. */
  clear(): void {
    this.entries.length = 0;
  }
}
