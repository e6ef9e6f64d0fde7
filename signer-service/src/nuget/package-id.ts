// SPDX-License-Identifier: MIT
// NuGet package id rules (NuGet.Packaging PackageIdValidator).

/** The id rule as a JSON schema pattern (ASCII word characters, as the rest of the feed). */
export const PACKAGE_ID_PATTERN = '^\\w+(?:[.-]\\w+)*$';

const ID_PATTERN = new RegExp(PACKAGE_ID_PATTERN);

/** The longest id NuGet accepts. */
export const MAX_PACKAGE_ID_LENGTH = 100;

/** True when NuGet accepts `id` as a package id. */
export function isValidPackageId(id: string): boolean {
  return id.length <= MAX_PACKAGE_ID_LENGTH && ID_PATTERN.test(id);
}
