// SPDX-License-Identifier: MIT
// Turns whatever stopped the feed from starting into one sentence naming the cause (and the path),
// and the exit code (sysexits.h) the process ends with.

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { isReposignError } from '@reposign/signing';
import { isFeedError } from './errors.js';

/** What the process prints and how it exits. */
export interface StartupFailure {
  readonly message: string;
  readonly exitCode: number;
}

/** sysexits.h: EX_DATAERR, EX_UNAVAILABLE, EX_IOERR, EX_TEMPFAIL, EX_CONFIG. */
export const EXIT = { dataError: 65, unavailable: 69, ioError: 74, tempFail: 75, config: 78 } as const;

interface SystemError {
  readonly code?: unknown;
  readonly syscall?: unknown;
  readonly path?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly errors?: unknown;
}

const FS_CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission is denied',
  EPERM: 'the operation is not permitted',
  ENOENT: 'a folder on the way does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EIO: 'the disk reports an I/O error',
};

/** Finds the first errno code in the error, its `errors` (AggregateError) and its causes. */
function systemErrorOf(error: unknown, depth = 0): SystemError | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const candidate = error as SystemError & { cause?: unknown };
  if (typeof candidate.code === 'string' && /^E[A-Z]+$/.test(candidate.code)) return candidate;
  if (Array.isArray(candidate.errors)) {
    for (const inner of candidate.errors) {
      const found = systemErrorOf(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return systemErrorOf(candidate.cause, depth + 1);
}

/** The SQLSTATE of a PostgreSQL server error in the chain. */
function sqlStateOf(error: unknown, depth = 0): { code: string; message: string } | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const candidate = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return { code: candidate.code, message: String(candidate.message) };
  return sqlStateOf(candidate.cause, depth + 1);
}

/**
 * Node's recursive mkdir reports ENOENT when it cannot create a folder on a read-only or forbidden
 * file system: ask the nearest existing ancestor why.
 */
function realMkdirCause(path: string): string | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      try {
        accessSync(dir, constants.W_OK);
        return undefined;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code;
      }
    }
    if (dir === dirname(dir)) return undefined;
  }
}

function describeSystemError(system: SystemError, fallbackPath: string | undefined): StartupFailure | undefined {
  const code = String(system.code);
  if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL') {
    const where = `${typeof system.address === 'string' ? system.address : ''}:${typeof system.port === 'number' ? system.port : ''}`;
    const why = code === 'EADDRINUSE' ? 'another process already listens there' : 'no network interface has that address';
    return { message: `Cannot listen on ${where}: ${why}; stop it or choose another address in Urls.`, exitCode: EXIT.unavailable };
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ECONNRESET') {
    const where = typeof system.address === 'string' ? `${system.address}${typeof system.port === 'number' ? `:${system.port}` : ''}` : 'the configured host';
    return { message: `Cannot connect to PostgreSQL at ${where} (${code}); check that it runs and that Database:ConnectionString names it.`, exitCode: EXIT.unavailable };
  }
  const path = typeof system.path === 'string' ? system.path : fallbackPath;
  const real = code === 'ENOENT' && system.syscall === 'mkdir' && path !== undefined ? realMkdirCause(path) ?? code : code;
  const cause = FS_CAUSES[real];
  if (cause === undefined) return undefined;
  const action = typeof system.syscall === 'string' ? ` (${system.syscall})` : '';
  return { message: `Cannot write ${path ?? 'the data folder'}${action}: ${cause}.`, exitCode: real === 'ENOENT' || real === 'ENOTDIR' ? EXIT.config : EXIT.ioError };
}

/**
 * Describes a startup failure in one sentence. `dataPath` names the storage folder for errors that
 * do not carry a path (the embedded database reports none).
 */
export function describeStartupFailure(error: unknown, dataPath?: string): StartupFailure {
  if (isFeedError(error, 'CONFIG_INVALID')) return { message: error.message, exitCode: EXIT.config };
  if (isFeedError(error, 'FEED_DATA_FOLDER_IN_USE')) return { message: error.message, exitCode: EXIT.tempFail };
  if (isFeedError(error, 'FEED_INDEX_LOST')) return { message: error.message, exitCode: EXIT.dataError };
  const system = systemErrorOf(error);
  const described = system === undefined ? undefined : describeSystemError(system, dataPath);
  if (described !== undefined) return described;
  const sql = sqlStateOf(error);
  if (sql !== undefined && (sql.code.startsWith('28') || sql.code === '3D000')) {
    return { message: `PostgreSQL refused the connection: ${sql.message} (SQLSTATE ${sql.code}); check Database:ConnectionString.`, exitCode: EXIT.config };
  }
  if (isFeedError(error) || isReposignError(error)) return { message: error.message, exitCode: 1 };
  const text = error instanceof Error ? error.message : typeof error === 'object' && error !== null ? JSON.stringify(error) : String(error);
  return { message: `Startup failed: ${text.split('\n')[0] ?? text}`, exitCode: 1 };
}
