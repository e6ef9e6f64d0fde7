// SPDX-License-Identifier: MIT
// Removes package files the feed wrote but no row references: a signed copy moved into `packages/`
// by a process killed before its commit, or a generation a crash left behind a re-push. Only
// generation-keyed files (`packages/<id>/<version>/<generation>/…`) are touched; a package copied
// in by hand at `packages/<id>/<version>/<id>.<version>.nupkg` is the storage import's.

import { packagesRepository } from '../db/packages-repository.js';
import type { FeedContext } from './feed-context.js';

/**
 * On a shared database (PostgreSQL), another replica may have moved a file in and not yet
 * committed its row: only files older than this are swept there. A push commits within seconds
 * of moving its file in.
 */
export const ORPHAN_SAFETY_AGE_MS = 10 * 60 * 1000;

const GENERATION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The generation folder of a generation-keyed storage key below `packages/<id>/<version>/`, or undefined. */
function generationOf(key: string): string | undefined {
  const segments = key.split('/');
  const generation = segments[3];
  return segments[0] === 'packages' && segments.length >= 5 && generation !== undefined && GENERATION.test(generation) ? generation : undefined;
}

/** Generation-keyed files below `prefix` (`packages` or one version's folder) at `depths` below it. */
async function generationKeyedFiles(ctx: FeedContext, prefix: string, depths: readonly number[]): Promise<string[]> {
  const keys = await ctx.store.list(prefix, depths);
  return keys.filter((key) => generationOf(key) !== undefined);
}

/**
 * Deletes every generation-keyed file no row references: all of them at once when `immediate`
 * (the embedded database, opened by this process alone, before it serves requests), else those
 * older than ORPHAN_SAFETY_AGE_MS. Returns the deleted keys.
 */
export async function sweepOrphanedPackages(ctx: FeedContext, options: { readonly immediate: boolean }): Promise<string[]> {
  const files = await generationKeyedFiles(ctx, 'packages', [4, 5]);
  if (files.length === 0) return [];
  const referenced = await packagesRepository(ctx.db).referencedKeys();
  const cutoff = Date.now() - ORPHAN_SAFETY_AGE_MS;
  const swept: string[] = [];
  for (const key of files) {
    if (referenced.has(key)) continue;
    if (!options.immediate) {
      const info = await ctx.store.stat(key);
      if (info === undefined || info.modifiedMs > cutoff) continue;
    }
    await ctx.store.delete(key);
    swept.push(key);
  }
  return swept;
}

/**
 * After a push committed generation `generation` of a version, deletes the files of its other
 * generations written before the push started (`startedMs`): the row references only the new
 * one, so they are left by a crash, and the re-push does not keep a second copy beside them. A
 * file written after the push started may belong to a push still in flight, which cleans up after
 * itself, and is kept.
 */
export async function pruneOtherGenerations(ctx: FeedContext, version: { readonly idLower: string; readonly versionLower: string; readonly generation: string }, startedMs: number): Promise<void> {
  const files = await generationKeyedFiles(ctx, `packages/${version.idLower}/${version.versionLower}`, [2, 3]);
  for (const key of files) {
    if (generationOf(key) === version.generation) continue;
    const info = await ctx.store.stat(key);
    if (info !== undefined && info.modifiedMs < startedMs) await ctx.store.delete(key);
  }
}
