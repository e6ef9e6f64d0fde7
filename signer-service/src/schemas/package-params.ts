// SPDX-License-Identifier: MIT
// Route schemas shared by the NuGet resources. Ids and versions follow NuGet's rules and lengths, so
// a control character or an over-long value is a 400 before any database or file system call.

import { Type, type Static } from 'typebox';
import { MAX_PACKAGE_ID_LENGTH, PACKAGE_ID_PATTERN } from '../nuget/package-id.js';
import { MAX_VERSION_LENGTH, VERSION_SYNTAX } from '../nuget/version.js';

const JSON_SUFFIX = '.json';

/** A package id (NuGet PackageIdValidator). */
const PackageId = Type.String({ minLength: 1, maxLength: MAX_PACKAGE_ID_LENGTH, pattern: PACKAGE_ID_PATTERN });

/** A NuGet version as written in a URL. */
const PackageVersion = Type.String({ minLength: 1, maxLength: MAX_VERSION_LENGTH, pattern: `^${VERSION_SYNTAX}$` });

/** A version followed by `.json` (registration leaves and page upper bounds). */
const VersionJson = Type.String({ minLength: 1 + JSON_SUFFIX.length, maxLength: MAX_VERSION_LENGTH + JSON_SUFFIX.length, pattern: `^${VERSION_SYNTAX}\\.[jJ][sS][oO][nN]$` });

/** Printable text without control characters. */
const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f]*$';

/** `{id}` path parameter. */
export const IdParams = Type.Object({ id: PackageId });

/** `{id}/{version}` path parameters. */
export const IdVersionParams = Type.Object({ id: PackageId, version: PackageVersion });
export type IdVersionParams = Static<typeof IdVersionParams>;

/** `{id}/{version}/{file}` path parameters of the flat container. */
export const FlatFileParams = Type.Object({
  id: PackageId,
  version: PackageVersion,
  file: Type.String({ minLength: 1, maxLength: MAX_PACKAGE_ID_LENGTH + MAX_VERSION_LENGTH + '..nupkg'.length, pattern: '^[0-9A-Za-z._+-]+$' }),
});

/** Registration leaf `{id}/{leaf}` where leaf is `{version}.json`. */
export const RegistrationLeafParams = Type.Object({ id: PackageId, leaf: VersionJson });

/** Registration page `{id}/page/{lower}/{upper}` where upper ends in `.json`. */
export const RegistrationPageParams = Type.Object({ id: PackageId, lower: PackageVersion, upper: VersionJson });

/** Search and autocomplete query parameters. */
export const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 500, pattern: NO_CONTROL_CHARACTERS })),
  id: Type.Optional(PackageId),
  skip: Type.Integer({ minimum: 0, maximum: 100000, default: 0 }),
  take: Type.Integer({ minimum: 0, maximum: 1000, default: 20 }),
  prerelease: Type.Boolean({ default: false }),
  semVerLevel: Type.Optional(Type.String({ maxLength: 20, pattern: '^[0-9.]*$' })),
});
export type SearchQuery = Static<typeof SearchQuery>;
