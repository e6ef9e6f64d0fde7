// SPDX-License-Identifier: MIT
// A PostgreSQL server through a node-postgres pool. Every connection is taken with a timeout, so a
// busy pool answers FEED_DATABASE_BUSY (503) instead of making requests wait forever.

import pg from 'pg';
import { FeedError } from '../errors.js';
import type { Database, Queryable, Session } from './database.js';

/** How the pool is sized and how long a request waits for a connection. */
export interface PoolOptions {
  readonly maxConnections: number;
  readonly acquireTimeoutMs: number;
}

const DEFAULT_POOL: PoolOptions = { maxConnections: 10, acquireTimeoutMs: 10_000 };

async function rows<Row>(runner: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<Row[]> {
  return (await runner.query(sql, params === undefined ? undefined : [...params])).rows as Row[];
}

/**
 * True for a failure of the connection itself rather than of a statement: the server refused or cut
 * it (stopped, restarting), SQLSTATE class 08 (connection exception) or 57P01-57P03 (shutdown).
 */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code) || /^(08...|57P0[123])$/.test(code))) return true;
  return /Connection terminated|connection timeout/i.test(error.message);
}

const unavailable = (error: unknown): FeedError =>
  new FeedError('FEED_DATABASE_UNAVAILABLE', 'The database cannot be reached at the moment. Try again later.', { cause: error });

/** Runs `work` inside BEGIN/COMMIT on `client`; rolls back when it throws. */
async function inTransaction<T>(client: pg.PoolClient, work: (tx: Queryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work({ query: (sql, params) => rows(client, sql, params) });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Opens a pool on `connectionString` and checks that the server answers. */
export async function openPostgresDatabase(connectionString: string, options: PoolOptions = DEFAULT_POOL): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: options.maxConnections, connectionTimeoutMillis: options.acquireTimeoutMs });
  // An idle client can fail when the server restarts; the pool drops it, the process must not die.
  pool.on('error', () => undefined);

  /** Takes a connection, naming pool exhaustion as such (pg reports it as a plain timeout). */
  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (error) {
      if (pool.waitingCount > 0 || pool.totalCount >= options.maxConnections) {
        throw new FeedError('FEED_DATABASE_BUSY', `Every database connection stayed busy for ${options.acquireTimeoutMs / 1000} s. Try again later.`, { cause: error });
      }
      throw isConnectionFailure(error) ? unavailable(error) : error;
    }
  };
  const withClient = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await connect();
    try {
      return await work(client);
    } catch (error) {
      throw isConnectionFailure(error) ? unavailable(error) : error;
    } finally {
      client.release();
    }
  };
  const sessionOn = (client: pg.PoolClient): Session => ({
    query: (sql, params) => rows(client, sql, params),
    transaction: (work) => inTransaction(client, work),
  });

  await withClient((client) => rows(client, 'SELECT 1'));
  return {
    kind: 'postgres',
    query: (sql, params) => withClient((client) => rows(client, sql, params)),
    exec: async (sql) => {
      await withClient((client) => client.query(sql));
    },
    transaction: (work) => withClient((client) => inTransaction(client, work)),
    withAdvisoryLock: (key, work) =>
      withClient(async (client) => {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        try {
          return await work(sessionOn(client));
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
        }
      }),
    close: () => pool.end(),
  };
}
