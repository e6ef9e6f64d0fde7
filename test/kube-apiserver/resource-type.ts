// SPDX-License-Identifier: MIT
// What the fake knows about one served resource: names, scope, subresources and write rules.

import type { JsonSchema } from './json-schema.js';

/** A CRD `additionalPrinterColumns[]` entry. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** One resource in one group/version. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The plural, as in URLs. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Whether `/status` is served and main-resource writes keep the stored status. */
  statusSubresource: boolean;
  /** Whether `metadata.generation` is maintained. */
  tracksGeneration: boolean;
  /** Whether a PUT without `metadata.resourceVersion` is accepted (built-ins) or 422 (custom resources). */
  unconditionalUpdate: boolean;
  /** Whether DELETE answers with the object (custom resources) rather than a success Status. */
  returnsDeletedObject: boolean;
  /** Whether `application/strategic-merge-patch+json` is accepted. */
  strategicMerge: boolean;
  /** Set for custom resources: the CRD's name, its structural schema and its printer columns. */
  custom?: {
    crdName: string;
    schema?: JsonSchema;
    printerColumns: PrinterColumn[];
  };
}

/** `apiVersion` of objects of this type. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** The key under which objects of this resource are stored, shared by all versions. */
export function storageKeyOf(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

/** The group/resource pair used in NotFound, AlreadyExists and Conflict messages. */
export function groupResourceOf(type: ResourceType): { group: string; name: string } {
  return { group: type.group, name: type.plural };
}

/** The group/kind pair used in Invalid messages. */
export function groupKindOf(type: ResourceType): { group: string; name: string } {
  return { group: type.group, name: type.kind };
}
