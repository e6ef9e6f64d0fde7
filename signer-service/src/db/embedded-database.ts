// SPDX-License-Identifier: MIT
// The embedded database: PGlite (PostgreSQL compiled to WebAssembly) in a data directory.

import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, Session } from './database.js';

/** Opens PGlite in `dataDir`, or in memory when `dataDir` is undefined (tests). */
export async function openEmbeddedDatabase(dataDir: string | undefined): Promise<Database> {
  const db = await PGlite.create(dataDir === undefined ? undefined : { dataDir });
  const query = async <Row>(runner: Pick<PGlite, 'query'>, sql: string, params?: readonly unknown[]): Promise<Row[]> =>
    (await runner.query<Row>(sql, params === undefined ? undefined : [...params])).rows;
  const session: Session = {
    query: (sql, params) => query(db, sql, params),
    transaction: (work) => db.transaction((tx) => work({ query: (sql, params) => query(tx, sql, params) } satisfies Queryable)),
  };
  return {
    kind: 'embedded',
    ...session,
    exec: async (sql) => {
      await db.exec(sql);
    },
    // PGlite cannot be shared between processes; the in-process single-flight is the lock.
    withAdvisoryLock: (_key, work) => work(session),
    close: () => db.close(),
  };
}
