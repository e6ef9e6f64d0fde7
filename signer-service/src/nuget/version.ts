// SPDX-License-Identifier: MIT
// NuGet package versions: parsing, normalization and ordering the way NuGet.Versioning does it.

import { ReposignError } from '@reposign/signing';

/** A parsed NuGet version (SemVer 2.0 plus NuGet's optional fourth part). */
export interface NuGetVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly revision: number;
  /** Dot-separated release labels; empty for a stable version. */
  readonly releaseLabels: readonly string[];
  /** Build metadata after `+`, or undefined. */
  readonly metadata: string | undefined;
}

/**
 * The longest version string accepted in a URL: NuGet.org's limit (NuGet.Services.Entities
 * Constants.MaxPackageVersionLength), which also keeps file names far below NAME_MAX.
 */
export const MAX_VERSION_LENGTH = 64;

const VERSION_PATTERN = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** The version syntax without anchors, for route schemas (`{version}` or `{version}.json`). */
export const VERSION_SYNTAX = VERSION_PATTERN.source.slice(1, -1);

/** Parses a version string, or returns undefined when NuGet would reject it. */
export function tryParseVersion(text: string): NuGetVersion | undefined {
  const match = VERSION_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  const parts = [match[1], match[2], match[3], match[4]].map((part) => (part === undefined ? 0 : Number(part)));
  if (parts.some((part) => !Number.isSafeInteger(part) || part > 2147483647)) return undefined;
  const [major = 0, minor = 0, patch = 0, revision = 0] = parts;
  return {
    major,
    minor,
    patch,
    revision,
    releaseLabels: match[5] === undefined ? [] : match[5].split('.'),
    metadata: match[6],
  };
}

/** Parses a version string. Throws INVALID_ARGUMENT when NuGet would reject it. */
export function parseVersion(text: string): NuGetVersion {
  const version = tryParseVersion(text);
  if (version === undefined) throw new ReposignError('INVALID_ARGUMENT', `'${text}' is not a valid NuGet version.`);
  return version;
}

/**
 * The normalized form (`NuGetVersion.ToNormalizedString()`): leading zeros dropped, three parts
 * plus a fourth only when it is not zero, release labels kept as written, metadata dropped.
 */
export function normalizeVersion(version: NuGetVersion): string {
  const core = `${version.major}.${version.minor}.${version.patch}${version.revision === 0 ? '' : `.${version.revision}`}`;
  return version.releaseLabels.length === 0 ? core : `${core}-${version.releaseLabels.join('.')}`;
}

/** The form used in flat-container URLs and as the database key: normalized and lowercased. */
export function versionKey(version: NuGetVersion): string {
  return normalizeVersion(version).toLowerCase();
}

/** Normalized with build metadata, the `version` NuGet shows for SemVer 2.0 packages. */
export function fullVersion(version: NuGetVersion): string {
  return version.metadata === undefined ? normalizeVersion(version) : `${normalizeVersion(version)}+${version.metadata}`;
}

/** True for a version with release labels. */
export function isPrerelease(version: NuGetVersion): boolean {
  return version.releaseLabels.length > 0;
}

/** True when only SemVer 2.0 clients understand the version: dotted release labels or metadata. */
export function isSemVer2(version: NuGetVersion): boolean {
  return version.releaseLabels.length > 1 || version.metadata !== undefined;
}

function compareLabel(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Math.sign(Number(a) - Number(b));
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  const aLower = a.toLowerCase();
  const bLower = b.toLowerCase();
  return aLower < bLower ? -1 : aLower > bLower ? 1 : 0;
}

/** Orders versions the way NuGet does (metadata ignored, release labels case-insensitive). */
export function compareVersions(a: NuGetVersion, b: NuGetVersion): number {
  for (const key of ['major', 'minor', 'patch', 'revision'] as const) {
    if (a[key] !== b[key]) return Math.sign(a[key] - b[key]);
  }
  // A stable version sorts after every prerelease of the same numbers.
  if (a.releaseLabels.length === 0 || b.releaseLabels.length === 0) {
    return Math.sign(b.releaseLabels.length - a.releaseLabels.length);
  }
  const count = Math.min(a.releaseLabels.length, b.releaseLabels.length);
  for (let i = 0; i < count; i++) {
    const order = compareLabel(a.releaseLabels[i] ?? '', b.releaseLabels[i] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(a.releaseLabels.length - b.releaseLabels.length);
}

/** True when a dependency version range mentions a SemVer 2.0 version. */
export function rangeIsSemVer2(range: string): boolean {
  return range
    .split(/[[\](),\s]+/)
    .filter((token) => token !== '')
    .some((token) => {
      const version = tryParseVersion(token);
      return version !== undefined && isSemVer2(version);
    });
}
