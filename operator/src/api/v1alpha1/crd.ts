// SPDX-License-Identifier: MIT
// Builds the RepositorySigner CustomResourceDefinition from the TypeBox schemas and the engine's
// providers. crds/reposign.dev_repositorysigners.yaml is this object, generated, never hand-edited.

import { CATEGORY, GROUP, KIND, PLURAL, SHORT_NAME, SINGULAR, VERSION } from './names.js';
import type { OpenApiSchema } from './openapi.js';
import { deriveProviderBlocks, type ProviderDescriptor } from './provider-blocks.js';
import { specSchema } from './spec.js';
import { StatusSchema } from './status.js';

/** One `additionalPrinterColumns` entry. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly jsonPath: string;
  readonly description: string;
  readonly priority?: number;
}

/** The apiextensions.k8s.io/v1 CustomResourceDefinition fields this CRD uses. */
export interface CustomResourceDefinition {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly names: {
      readonly kind: string;
      readonly listKind: string;
      readonly plural: string;
      readonly singular: string;
      readonly shortNames: readonly string[];
      readonly categories: readonly string[];
    };
    readonly scope: 'Namespaced';
    readonly versions: readonly {
      readonly name: string;
      readonly served: boolean;
      readonly storage: boolean;
      readonly subresources: { readonly status: Record<string, never> };
      readonly additionalPrinterColumns: readonly PrinterColumn[];
      readonly schema: { readonly openAPIV3Schema: OpenApiSchema };
    }[];
  };
}

/**
 * The printer columns of `kubectl get rsig`. Not After is a string column: kubectl renders a date
 * column as an age, which reads `<invalid>` for a time in the future.
 */
export const PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Whether a valid certificate is active, published and configured.' },
  { name: 'Mode', type: 'string', jsonPath: '.spec.mode', description: 'The signing mode.' },
  { name: 'Fingerprint', type: 'string', jsonPath: '.status.shortFingerprint', description: "The start of the active certificate's SHA-256 fingerprint." },
  { name: 'Not After', type: 'string', jsonPath: '.status.notAfter', description: 'When the active certificate expires.' },
  { name: 'Renewal', type: 'string', jsonPath: '.status.renewalTime', description: 'When the next renewal is due.', priority: 1 },
  { name: 'Revision', type: 'integer', jsonPath: '.status.revision', description: 'The revision of the active certificate.', priority: 1 },
  { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', description: 'The Ready message.', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
];

/** The `openAPIV3Schema` of a RepositorySigner for the given providers. */
export function repositorySignerSchema(providers: readonly ProviderDescriptor[]): OpenApiSchema {
  return {
    type: 'object',
    description: 'A RepositorySigner provisions, rotates and publishes the certificate a reposign feed repository-signs packages with.',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion of this object.' },
      kind: { type: 'string', description: 'Kind of this object.' },
      metadata: { type: 'object' },
      spec: specSchema(deriveProviderBlocks(providers)),
      status: structuredClone(StatusSchema) as unknown as OpenApiSchema,
    },
  };
}

/** The RepositorySigner CRD for the given providers (the engine's registry in production). */
export function repositorySignerCrd(providers: readonly ProviderDescriptor[]): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: SINGULAR, shortNames: [SHORT_NAME], categories: [CATEGORY] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: { openAPIV3Schema: repositorySignerSchema(providers) },
        },
      ],
    },
  };
}
