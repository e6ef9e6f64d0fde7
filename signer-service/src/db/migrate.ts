// SPDX-License-Identifier: MIT
// Applies the numbered `migrations/NNN-name.do.sql` files that have not run yet.

import { readdir, readFile } from 'node:fs/promises';
import type { Database, Queryable } from './database.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** A migration file pair. */
export interface Migration {
  readonly version: number;
  readonly name: string;
}

/** Lists the migrations shipped with this version, in order. */
export async function listMigrations(): Promise<Migration[]> {
  const files = await readdir(MIGRATIONS_DIR);
  return files
    .map((file) => /^(\d+)-(.+)\.do\.sql$/.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ version: Number(match[1]), name: match[2] ?? '' }))
    .sort((a, b) => a.version - b.version);
}

function fileOf(migration: Migration, direction: 'do' | 'undo'): URL {
  return new URL(`${String(migration.version).padStart(3, '0')}-${migration.name}.${direction}.sql`, MIGRATIONS_DIR);
}

/**
 * Brings the schema up to date, each migration in its own transaction. Replicas starting together
 * take turns on an advisory lock. Returns the versions applied by this call.
 */
export async function migrate(db: Database): Promise<number[]> {
  return db.withAdvisoryLock('reposign:migrations', async (session) => {
    await session.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await session.query<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const migration of await listMigrations()) {
      if (done.has(migration.version)) continue;
      const sql = await readFile(fileOf(migration, 'do'), 'utf8');
      await session.transaction(async (tx) => {
        for (const statement of splitStatements(sql)) await tx.query(statement);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      });
      applied.push(migration.version);
    }
    return applied;
  });
}

/** When this database's schema was first created (its first migration), or undefined before any. */
export async function schemaCreatedAt(db: Queryable): Promise<Date | undefined> {
  const [row] = await db.query<{ created: Date | string | null }>('SELECT min(applied_at) AS created FROM schema_migrations');
  return row?.created === null || row?.created === undefined ? undefined : new Date(row.created);
}

/** Reverts the newest applied migration (used by tests and by operators rolling back). */
export async function undoLastMigration(db: Database): Promise<number | undefined> {
  const [last] = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1');
  if (last === undefined) return undefined;
  const sql = await readFile(fileOf({ version: Number(last.version), name: last.name }, 'undo'), 'utf8');
  await db.transaction(async (tx) => {
    for (const statement of splitStatements(sql)) await tx.query(statement);
    await tx.query('DELETE FROM schema_migrations WHERE version = $1', [last.version]);
  });
  return Number(last.version);
}

/** Our migration files hold no semicolons inside literals or bodies, so a plain split is exact. */
function splitStatements(sql: string): string[] {
  return sql
    .replace(/--.*$/gm, '')
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}
