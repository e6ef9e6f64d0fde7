// SPDX-License-Identifier: MIT
// What every use case needs: the open database, storage, signer and metrics of one feed.

import type { SigningConfig } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { PackageStore } from '../storage/package-store.js';
import type { FeedMetrics } from './feed-metrics.js';
import type { FeedSigner } from './feed-signer.js';

/** The open resources of one feed instance. */
export interface FeedContext {
  readonly db: Database;
  readonly store: PackageStore;
  readonly signer: FeedSigner;
  readonly metrics: FeedMetrics;
  /** The current signing settings (a hot reload may replace them). */
  readonly signing: SigningConfig;
}

/** The structured logger background work reports to (fastify's pino logger fits). */
export interface FeedLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** Seconds since `started` (from `process.hrtime.bigint()`). */
export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
