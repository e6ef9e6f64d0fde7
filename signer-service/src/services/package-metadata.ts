// SPDX-License-Identifier: MIT
// Turns a package's manifest, as the engine read it, into the database record fields, checking the
// id and version against NuGet's rules.

import { randomUUID } from 'node:crypto';
import { ReposignError, type NuspecInfo } from '@reposign/signing';
import type { NewPackageRecord } from '../db/packages-repository.js';
import { isValidPackageId } from '../nuget/package-id.js';
import { fullVersion, isPrerelease, isSemVer2, normalizeVersion, rangeIsSemVer2, tryParseVersion, versionKey } from '../nuget/version.js';

/** The record of a package version, minus the storage and signing fields. */
export type PackageIdentity = Omit<NewPackageRecord, 'originalKey' | 'signedKey' | 'certificateFingerprint' | 'sizeBytes'>;

/**
 * The record of the package `nuspec` describes, with a fresh generation. Throws NUSPEC_INVALID
 * when the id or the version is not valid for NuGet.
 */
export function identityFromNuspec(nuspec: NuspecInfo): PackageIdentity {
  if (!isValidPackageId(nuspec.id)) throw new ReposignError('NUSPEC_INVALID', `The .nuspec id '${nuspec.id}' is not a valid package id.`);
  const version = tryParseVersion(nuspec.version);
  if (version === undefined) throw new ReposignError('NUSPEC_INVALID', `The .nuspec version '${nuspec.version}' is not a valid NuGet version.`);
  const semVer2 = isSemVer2(version) || nuspec.dependencyGroups.some((group) => group.dependencies.some((dependency) => rangeIsSemVer2(dependency.range)));
  return {
    idLower: nuspec.id.toLowerCase(),
    versionLower: versionKey(version),
    id: nuspec.id,
    version: normalizeVersion(version),
    fullVersion: fullVersion(version),
    generation: randomUUID(),
    prerelease: isPrerelease(version),
    semVer2,
    metadata: {
      description: nuspec.description,
      authors: nuspec.authors,
      title: nuspec.title,
      summary: nuspec.summary,
      tags: nuspec.tags,
      projectUrl: nuspec.projectUrl,
      iconUrl: nuspec.iconUrl,
      licenseUrl: nuspec.licenseUrl,
      requireLicenseAcceptance: nuspec.requireLicenseAcceptance,
      dependencyGroups: nuspec.dependencyGroups,
      packageTypes: nuspec.packageTypes,
    },
  };
}
