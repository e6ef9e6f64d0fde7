// SPDX-License-Identifier: MIT
// The files of the top-level crds/ folder, rendered from the CRD objects: what
// `npm run generate:crds -w @reposign/operator` writes and what the drift test compares.

import { stringify } from 'yaml';

import { repositorySignerCrd } from './crd.js';
import { signingProviders } from '@reposign/signing';

/** A generated file: its name inside crds/ and its content. */
export interface GeneratedFile {
  readonly name: string;
  readonly content: string;
}

const HEADER = '# Generated from operator/src/api/v1alpha1 by `npm run generate:crds -w @reposign/operator`. Do not edit.\n';

/** The YAML of every CRD, one file each, named `<group>_<plural>.yaml` as kubebuilder names them. */
export function crdFiles(): readonly GeneratedFile[] {
  const crd = repositorySignerCrd(signingProviders());
  return [{ name: `${crd.spec.group}_${crd.spec.names.plural}.yaml`, content: HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }) }];
}
