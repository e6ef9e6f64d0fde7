// SPDX-License-Identifier: MIT
// Chooses the database from the configuration and brings its schema up to date.

import { join } from 'node:path';
import { FeedError, isFeedError } from '../errors.js';
import type { Database } from './database.js';
import { openEmbeddedDatabase } from './embedded-database.js';
import { migrate } from './migrate.js';
import { openPostgresDatabase, type PoolOptions } from './postgres-database.js';

/** Where the embedded database lives in the data folder `storagePath`. */
export function embeddedDatabaseDir(storagePath: string): string {
  return join(storagePath, 'db');
}

/**
 * Opens PostgreSQL when a connection string is given, else PGlite under `<storagePath>/db`, and
 * applies pending migrations.
 */
export async function openDatabase(options: { connectionString: string | undefined; storagePath: string; pool: PoolOptions }): Promise<Database> {
  if (options.connectionString !== undefined) {
    const db = await openPostgresDatabase(options.connectionString, options.pool);
    try {
      await migrate(db);
    } catch (error) {
      await db.close();
      throw error;
    }
    return db;
  }
  const dataDir = embeddedDatabaseDir(options.storagePath);
  let db: Database | undefined;
  try {
    db = await openEmbeddedDatabase(dataDir);
    await migrate(db);
    return db;
  } catch (error) {
    await db?.close().catch(() => undefined);
    throw embeddedFailure(dataDir, error);
  }
}

/**
 * PGlite reports a damaged directory as a WebAssembly abort and some failures as plain objects:
 * name the folder and what to do, and keep file system errors (which name their own path) as they are.
 */
function embeddedFailure(dataDir: string, error: unknown): unknown {
  if (isFeedError(error)) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return error;
  const detail = error instanceof Error ? error.message.split('\n')[0] ?? '' : JSON.stringify(error);
  return new FeedError(
    'FEED_STARTUP_FAILED',
    `The embedded database in ${dataDir} cannot be opened (${detail}); if it is damaged, move the folder aside and rebuild the index from storage with \`reposign-feed admin rebuild-index\`.`,
    { cause: error },
  );
}
