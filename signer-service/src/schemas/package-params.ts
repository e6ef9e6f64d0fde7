// SPDX-License-Identifier: MIT
// Route schemas shared by the NuGet resources.

import { Type, type Static } from 'typebox';

/** `{id}` path parameter. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** `{id}/{version}` path parameters. */
export const IdVersionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  version: Type.String({ minLength: 1, maxLength: 256 }),
});
export type IdVersionParams = Static<typeof IdVersionParams>;

/** `{id}/{version}/{file}` path parameters of the flat container. */
export const FlatFileParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  version: Type.String({ minLength: 1, maxLength: 256 }),
  file: Type.String({ minLength: 1, maxLength: 400 }),
});

/** Registration leaf `{id}/{leaf}` where leaf is `{version}.json`. */
export const RegistrationLeafParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  leaf: Type.String({ minLength: 6, maxLength: 300 }),
});

/** Registration page `{id}/page/{lower}/{upper}` where upper ends in `.json`. */
export const RegistrationPageParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  lower: Type.String({ minLength: 1, maxLength: 256 }),
  upper: Type.String({ minLength: 6, maxLength: 300 }),
});

/** Search and autocomplete query parameters. */
export const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 500 })),
  id: Type.Optional(Type.String({ maxLength: 100 })),
  skip: Type.Integer({ minimum: 0, maximum: 100000, default: 0 }),
  take: Type.Integer({ minimum: 0, maximum: 1000, default: 20 }),
  prerelease: Type.Boolean({ default: false }),
  semVerLevel: Type.Optional(Type.String({ maxLength: 20 })),
});
export type SearchQuery = Static<typeof SearchQuery>;
