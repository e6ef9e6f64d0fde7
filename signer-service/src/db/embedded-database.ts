// SPDX-License-Identifier: MIT
// The embedded database: PGlite (PostgreSQL compiled to WebAssembly) in a data directory.

import { PGlite } from '@electric-sql/pglite';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { FeedError } from '../errors.js';
import type { Database, Queryable, Session } from './database.js';

/**
 * Small buffers: the feed's tables are tiny next to its packages, and PGlite's WebAssembly heap grows
 * to hold PostgreSQL's defaults (128 MB of shared buffers alone), which it never gives back.
 */
const LOW_MEMORY_SETTINGS = ['shared_buffers = 2MB', 'work_mem = 1MB', 'maintenance_work_mem = 4MB', 'temp_buffers = 1MB', 'wal_buffers = 64kB'];

/**
 * Creates the data directory in a child process: initdb grows the WebAssembly heap to several
 * hundred megabytes that a process never returns, so the feed only ever opens an existing
 * directory. The child builds it beside `dataDir` and renames it into place, so a killed child
 * leaves no half-made database behind.
 */
async function initialiseDataDir(dataDir: string): Promise<void> {
  const building = `${dataDir}.init-${randomUUID()}`;
  const script = [
    'try {',
    '  const { PGlite } = await import(process.argv[1]);',
    '  const db = await PGlite.create({ dataDir: process.argv[2], postgresqlconf: JSON.parse(process.argv[3]) });',
    '  await db.close();',
    '} catch (error) {',
    "  process.stderr.write(error?.name === 'ErrnoError' ? `errno ${error.errno}\\n` : `${error?.message ?? String(error)}\\n`);",
    '  process.exit(1);',
    '}',
  ].join('\n');
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, import.meta.resolve('@electric-sql/pglite'), building, JSON.stringify(LOW_MEMORY_SETTINGS)], {
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(building, dataDir);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    const output = (error as { stderr?: unknown }).stderr;
    const stderr = typeof output === 'string' ? output : '';
    const errno = /^errno (\d+)$/m.exec(stderr)?.[1];
    if (errno !== undefined) throw fileSystemError(Number(errno), dataDir, 'initdb');
    throw new FeedError('FEED_STARTUP_FAILED', `Creating the embedded database in ${dataDir} failed: ${stderr.trim().split('\n')[0] ?? ''}`, { cause: error });
  }
}

/** WASI errno numbers (Emscripten's file system raises them as `ErrnoError { errno }`) by Node's name. */
const WASI_ERRNO: Readonly<Record<number, string>> = { 2: 'EACCES', 19: 'EDQUOT', 29: 'EIO', 44: 'ENOENT', 51: 'ENOSPC', 63: 'EPERM', 69: 'EROFS' };

/** PGlite's ErrnoError as a Node system error naming `path`, so startup reports it like any other. */
function fileSystemError(errno: number, path: string, syscall: string): Error {
  const code = WASI_ERRNO[errno] ?? 'EIO';
  return Object.assign(new Error(`${code}: ${syscall} ${path}`), { code, syscall, path });
}

/** Rethrows PGlite's ErrnoError objects as system errors; other errors pass unchanged. */
function asSystemError(error: unknown, dataDir: string): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { name, errno } = error as { name?: unknown; errno?: unknown };
  return name === 'ErrnoError' && typeof errno === 'number' ? fileSystemError(errno, dataDir, 'open') : error;
}

/**
 * Whether `dataDir` holds a database: 'missing' when it is absent or empty, 'damaged' when it holds
 * files but no PG_VERSION (never overwritten: it may be someone's data).
 */
async function dataDirState(dataDir: string): Promise<'initialised' | 'missing' | 'damaged'> {
  const entries = await readdir(dataDir).catch((error: unknown): string[] => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length === 0) return 'missing';
  return entries.includes('PG_VERSION') ? 'initialised' : 'damaged';
}

/**
 * Baseline-compiled WebAssembly only: V8's optimising tier recompiles PGlite's hot functions into
 * about 35 MB of extra code, for no measurable gain on the feed's small queries (measured:
 * docs/operations.md). Read when PGlite compiles its module, so it is set before the first open;
 * PGlite is the process's only WebAssembly. Node 24 freezes V8's flags once it has started, which
 * makes this a no-op there: the production entry points (`npm start`, the image, `reposign-feed`)
 * pass `--liftoff-only` on the command line.
 */
function preferSmallWasmCode(): void {
  setFlagsFromString('--liftoff-only');
}

/** Opens PGlite in `dataDir` (creating it first when missing), or in memory when `dataDir` is undefined (tests). */
export async function openEmbeddedDatabase(dataDir: string | undefined): Promise<Database> {
  const state = dataDir === undefined ? 'initialised' : await dataDirState(dataDir);
  if (dataDir !== undefined && state === 'damaged') {
    throw new FeedError('FEED_STARTUP_FAILED', `The embedded database folder ${dataDir} holds files but no PG_VERSION, so it is not a database; move it aside and rebuild the index (reposign-feed admin rebuild-index).`);
  }
  if (dataDir !== undefined && state === 'missing') {
    await rm(dataDir, { recursive: true, force: true });
    await initialiseDataDir(dataDir);
  }
  preferSmallWasmCode();
  const db = await PGlite.create(dataDir === undefined ? undefined : { dataDir, postgresqlconf: LOW_MEMORY_SETTINGS }).catch((error: unknown) => {
    throw dataDir === undefined ? error : asSystemError(error, dataDir);
  });
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
    // One process per data folder (data-folder-lock.ts); within it the in-process single-flight is the lock.
    withAdvisoryLock: (_key, work) => work(session),
    close: () => db.close(),
  };
}
