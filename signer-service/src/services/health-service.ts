// SPDX-License-Identifier: MIT
// Readiness: whether this instance can serve (its database and storage answer, and it is not
// shutting down).

import { ping } from '../db/database.js';
import type { FeedContext, FeedLog } from './feed-context.js';

/** The readiness report `/health/ready` sends: 200 when `ready`, else 503. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly database: 'ok' | 'failed'; readonly storage: 'ok' | 'failed'; readonly shutdown: 'in progress' | 'no' };
}

/** Checks the database and storage; a failed database check is logged to `log` with its cause. */
export async function checkReadiness(ctx: FeedContext, closing: boolean, log: Pick<FeedLog, 'warn'>): Promise<Readiness> {
  const database = await ping(ctx.db).then(
    () => 'ok' as const,
    (error: unknown) => {
      log.warn({ err: error }, 'readiness: database check failed');
      return 'failed' as const;
    },
  );
  const storage = await ctx.store.list('', [1]).then(
    () => 'ok' as const,
    () => 'failed' as const,
  );
  return { ready: database === 'ok' && storage === 'ok' && !closing, checks: { database, storage, shutdown: closing ? 'in progress' : 'no' } };
}
