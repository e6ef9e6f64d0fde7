// SPDX-License-Identifier: MIT
// NuGet package id rules (NuGet.Packaging PackageIdValidator).

const ID_PATTERN = /^\w+(?:[.-]\w+)*$/;

/** The longest id NuGet accepts. */
export const MAX_PACKAGE_ID_LENGTH = 100;

/** True when NuGet accepts `id` as a package id. */
export function isValidPackageId(id: string): boolean {
  return id.length <= MAX_PACKAGE_ID_LENGTH && ID_PATTERN.test(id);
}
