// SPDX-License-Identifier: MIT
// The database seen by repositories: one interface over PGlite (embedded) and node-postgres.

/** Runs parameterised SQL ($1, $2, ...) and returns the rows. */
export interface Queryable {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** Queries and transactions on one connection (or on the pool). */
export interface Session extends Queryable {
  /** Runs `work` on one connection inside BEGIN/COMMIT; rolls back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** A database connection pool (or the embedded database), owned by the app and closed on shutdown. */
export interface Database extends Session {
  readonly kind: 'embedded' | 'postgres';
  /** Runs statements separated by semicolons, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` while holding the PostgreSQL advisory lock named by `key`, so one replica at a
   * time does it. `work` gets the lock's own connection and must query through it: a lock holder
   * that waited for another pool connection could starve the pool (every connection held by a
   * holder waiting for one more). The embedded database lives in one process, where callers
   * already serialise.
   */
  withAdvisoryLock<T>(key: string, work: (session: Session) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Resolves when the database answers a query; the readiness probe's check. */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

/** The SQLSTATE of a database error, when it carries one. */
export function sqlState(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
