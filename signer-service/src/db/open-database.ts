// SPDX-License-Identifier: MIT
// Chooses the database from the configuration and brings its schema up to date.

import { join } from 'node:path';
import type { Database } from './database.js';
import { openEmbeddedDatabase } from './embedded-database.js';
import { migrate } from './migrate.js';
import { openPostgresDatabase, type PoolOptions } from './postgres-database.js';

/**
 * Opens PostgreSQL when a connection string is given, else PGlite under `<storagePath>/db`, and
 * applies pending migrations.
 */
export async function openDatabase(options: { connectionString: string | undefined; storagePath: string; pool: PoolOptions }): Promise<Database> {
  const db =
    options.connectionString === undefined
      ? await openEmbeddedDatabase(join(options.storagePath, 'db'))
      : await openPostgresDatabase(options.connectionString, options.pool);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
