// SPDX-License-Identifier: MIT
// Loads a backend's SDK on first use, inside `open`: an install that never selects the backend
// never loads it, and a missing optional package is reported by name instead of as a crash.

import { ReposignError } from '../../errors.js';

/**
 * Runs `load` (a literal `() => import('@aws-sdk/client-kms')`, so types and bundlers see it) and
 * returns the module. Throws PROVIDER_UNAVAILABLE naming `packageName` and `kind` when it is not installed.
 */
export async function loadSdk<Module>(kind: string, packageName: string, load: () => Promise<Module>): Promise<Module> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new ReposignError('PROVIDER_UNAVAILABLE', `The ${kind} backend needs the npm package ${packageName}, which is not installed.`, { cause: error });
  }
}
