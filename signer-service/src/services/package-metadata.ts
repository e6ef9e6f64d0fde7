// SPDX-License-Identifier: MIT
// Turns a package's nuspec into the database record fields.

import { randomUUID } from 'node:crypto';
import type { NewPackageRecord } from '../db/packages-repository.js';
import { parseNuspec } from '../nuget/nuspec.js';
import { fullVersion, isPrerelease, normalizeVersion, versionKey } from '../nuget/version.js';

/** The record of a package version, minus the storage and signing fields. */
export type PackageIdentity = Omit<NewPackageRecord, 'originalKey' | 'signedKey' | 'certificateFingerprint' | 'sizeBytes'>;

/** Parses nuspec XML into a record with a fresh generation. Throws NUSPEC_INVALID. */
export function identityFromNuspec(nuspecXml: string): PackageIdentity {
  const nuspec = parseNuspec(nuspecXml);
  return {
    idLower: nuspec.id.toLowerCase(),
    versionLower: versionKey(nuspec.version),
    id: nuspec.id,
    version: normalizeVersion(nuspec.version),
    fullVersion: fullVersion(nuspec.version),
    generation: randomUUID(),
    prerelease: isPrerelease(nuspec.version),
    semVer2: nuspec.semVer2,
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
