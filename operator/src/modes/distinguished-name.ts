// SPDX-License-Identifier: MIT
// The subject of a certificate the operator issues, as the distinguished-name text the engine's
// certificate generator takes (`CN=..., O=..., C=...`, commas in values escaped).

import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { SubjectAttributes } from '../reconcile/observed.js';

function escape(value: string): string {
  return value.replace(/([\\,;+"<>#=])/g, '\\$1');
}

/** The DN for `subject`; without a commonName the signer's namespace and name make one. */
export function distinguishedName(signer: RepositorySigner, subject: SubjectAttributes | undefined): string {
  const parts: string[] = [`CN=${escape(subject?.commonName ?? `reposign repository signing ${signer.metadata.namespace}/${signer.metadata.name}`)}`];
  const add = (key: string, values: readonly string[] | undefined): void => {
    for (const value of values ?? []) parts.push(`${key}=${escape(value)}`);
  };
  add('OU', subject?.organizationalUnits);
  add('O', subject?.organizations);
  add('L', subject?.localities);
  add('ST', subject?.provinces);
  add('C', subject?.countries);
  return parts.join(', ');
}
