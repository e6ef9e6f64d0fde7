// SPDX-License-Identifier: MIT
// Unlist, relist and delete.

import { packagesRepository } from '../db/packages-repository.js';
import type { FeedContext } from './feed-context.js';

/**
 * Deletes a version as configured: `Unlist` hides it from search and registration listings (it
 * stays downloadable, as on nuget.org); `HardDelete` removes the row and then every stored object
 * of it. Returns false for an unknown version.
 */
export async function deletePackage(ctx: FeedContext, behavior: 'Unlist' | 'HardDelete', idLower: string, versionLower: string): Promise<boolean> {
  const packages = packagesRepository(ctx.db);
  if (behavior === 'Unlist') return packages.setListed(idLower, versionLower, false);
  const deleted = await packages.delete(idLower, versionLower);
  if (deleted === undefined) return false;
  for (const key of [deleted.originalKey, deleted.signedKey]) if (key !== null) await ctx.store.delete(key);
  return true;
}

/** Lists a version again; false for an unknown version. */
export function relistPackage(ctx: FeedContext, idLower: string, versionLower: string): Promise<boolean> {
  return packagesRepository(ctx.db).setListed(idLower, versionLower, true);
}
