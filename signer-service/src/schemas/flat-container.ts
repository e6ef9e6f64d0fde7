// SPDX-License-Identifier: MIT
// Response schema of the flat container's versions index (`/v3/flatcontainer/{id}/index.json`).

import { Type, type Static } from 'typebox';

/** Every version of an id, as lowercase normalized versions in NuGet order. */
export const FlatContainerVersions = Type.Object({
  versions: Type.Array(Type.String()),
});
export type FlatContainerVersions = Static<typeof FlatContainerVersions>;
