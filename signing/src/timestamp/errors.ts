// SPDX-License-Identifier: MIT
// The one way this folder reports a defective TSA reply or token.

import { ReposignError } from '../errors.js';

/** A TIMESTAMP_INVALID error, tagged with the NuGet code the same defect draws when there is one. */
export function invalidTimestamp(message: string, nugetCode?: string, cause?: unknown): ReposignError {
  return new ReposignError('TIMESTAMP_INVALID', message, { nugetCode, cause });
}
