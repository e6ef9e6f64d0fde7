// SPDX-License-Identifier: MIT
// Response schemas of the registration (package metadata) resource: index, page and leaf, in the
// shape NuGet.org serves them.

import { Type, type Static } from 'typebox';

/** One dependency of a catalog entry's dependency group. */
export const RegistrationDependency = Type.Object({
  '@id': Type.String(),
  '@type': Type.Literal('PackageDependency'),
  id: Type.String(),
  range: Type.String(),
  registration: Type.String(),
});

/** A dependency group; the group for any framework has no `targetFramework`. */
export const RegistrationDependencyGroup = Type.Object({
  '@id': Type.String(),
  '@type': Type.Literal('PackageDependencyGroup'),
  targetFramework: Type.Optional(Type.String()),
  dependencies: Type.Array(RegistrationDependency),
});

/** The catalog entry inlined in a page item: the package's metadata. */
export const CatalogEntry = Type.Object({
  '@id': Type.String(),
  '@type': Type.Literal('PackageDetails'),
  id: Type.String(),
  version: Type.String(),
  authors: Type.String(),
  description: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  tags: Type.Array(Type.String()),
  projectUrl: Type.String(),
  iconUrl: Type.String(),
  licenseUrl: Type.String(),
  requireLicenseAcceptance: Type.Boolean(),
  listed: Type.Boolean(),
  published: Type.String(),
  packageContent: Type.String(),
  dependencyGroups: Type.Array(RegistrationDependencyGroup),
});
export type CatalogEntry = Static<typeof CatalogEntry>;

/** One version inside a registration page. */
export const RegistrationPageItem = Type.Object({
  '@id': Type.String(),
  '@type': Type.Literal('Package'),
  commitTimeStamp: Type.String(),
  catalogEntry: CatalogEntry,
  packageContent: Type.String(),
  registration: Type.String(),
});
export type RegistrationPageItem = Static<typeof RegistrationPageItem>;

/** A registration page; `items` is present when the page is inlined in the index or fetched alone. */
export const RegistrationPage = Type.Object({
  '@id': Type.String(),
  '@type': Type.Literal('catalog:CatalogPage'),
  count: Type.Integer(),
  lower: Type.String(),
  upper: Type.String(),
  parent: Type.String(),
  items: Type.Optional(Type.Array(RegistrationPageItem)),
});
export type RegistrationPage = Static<typeof RegistrationPage>;

/** The registration index of one package id. */
export const RegistrationIndex = Type.Object({
  '@id': Type.String(),
  '@type': Type.Array(Type.String()),
  count: Type.Integer(),
  items: Type.Array(RegistrationPage),
});
export type RegistrationIndex = Static<typeof RegistrationIndex>;

/** A registration leaf: one version, its catalog entry given as a URL. */
export const RegistrationLeaf = Type.Object({
  '@id': Type.String(),
  '@type': Type.Array(Type.String()),
  catalogEntry: Type.String(),
  listed: Type.Boolean(),
  packageContent: Type.String(),
  published: Type.String(),
  registration: Type.String(),
});
export type RegistrationLeaf = Static<typeof RegistrationLeaf>;
