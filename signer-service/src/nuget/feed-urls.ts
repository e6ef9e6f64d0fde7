// SPDX-License-Identifier: MIT
// Absolute URLs of every NuGet resource, from one base URL (no trailing slash).

/** URL builders for one base address. */
export interface FeedUrls {
  readonly base: string;
  readonly serviceIndex: string;
  readonly publish: string;
  readonly flatContainer: string;
  readonly search: string;
  readonly autocomplete: string;
  readonly repositorySignatures: string;
  registrationBase(semVer2: boolean): string;
  registrationIndex(semVer2: boolean, idLower: string): string;
  registrationLeaf(semVer2: boolean, idLower: string, versionLower: string): string;
  registrationPage(semVer2: boolean, idLower: string, lower: string, upper: string): string;
  nupkg(idLower: string, versionLower: string): string;
  certificate(fingerprintSha256: string): string;
}

/** Builds the URL set for `base` (for example `https://feed.example` or `https://host/nuget`). */
export function feedUrls(base: string): FeedUrls {
  const registrationBase = (semVer2: boolean): string => `${base}/v3/${semVer2 ? 'registration-semver2' : 'registration'}/`;
  return {
    base,
    serviceIndex: `${base}/v3/index.json`,
    publish: `${base}/api/v2/package`,
    flatContainer: `${base}/v3/flatcontainer/`,
    search: `${base}/v3/search`,
    autocomplete: `${base}/v3/autocomplete`,
    repositorySignatures: `${base}/v3/repository-signatures/index.json`,
    registrationBase,
    registrationIndex: (semVer2, idLower) => `${registrationBase(semVer2)}${idLower}/index.json`,
    registrationLeaf: (semVer2, idLower, versionLower) => `${registrationBase(semVer2)}${idLower}/${versionLower}.json`,
    registrationPage: (semVer2, idLower, lower, upper) => `${registrationBase(semVer2)}${idLower}/page/${lower}/${upper}.json`,
    nupkg: (idLower, versionLower) => `${base}/v3/flatcontainer/${idLower}/${versionLower}/${idLower}.${versionLower}.nupkg`,
    certificate: (fingerprint) => `${base}/v3/certificates/${fingerprint}.crt`,
  };
}
