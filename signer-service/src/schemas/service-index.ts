// SPDX-License-Identifier: MIT
// Response schema of the v3 service index (`/v3/index.json`).

import { Type, type Static } from 'typebox';

/** One service index entry: a resource URL and the type it offers. */
export const ServiceIndexResource = Type.Object({
  '@id': Type.String(),
  '@type': Type.String(),
  comment: Type.Optional(Type.String()),
});
export type ServiceIndexResource = Static<typeof ServiceIndexResource>;

/** The service index document. */
export const ServiceIndex = Type.Object({
  version: Type.String(),
  resources: Type.Array(ServiceIndexResource),
});
export type ServiceIndex = Static<typeof ServiceIndex>;
