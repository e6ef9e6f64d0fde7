// SPDX-License-Identifier: MIT
// The ConfigMap of published certificate records: append-only JSON records (what NuGet's
// repository-signatures index lists) and the certificates as PEM. GitOps tools can read it; it has
// no owner reference, so it outlives the RepositorySigner, as published certificates must.

import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { ConfigMapObject } from '../kube/kube-object.js';
import type { PublishedRecord } from '../reconcile/actions.js';
import { ownedLabels } from './labels.js';

/** A record as stored: the certificate's facts, the revision it was active as, and when it was published. */
export interface StoredRecord extends PublishedRecord {
  readonly publishedAt: string;
}

export const RECORDS_KEY = 'records.json';
export const CERTIFICATES_KEY = 'certificates.pem';

/** The records of a ConfigMap, oldest first; an unreadable one yields none. */
export function readRecords(configMap: ConfigMapObject | undefined): StoredRecord[] {
  const text = configMap?.data?.[RECORDS_KEY];
  if (text === undefined) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as StoredRecord[]).filter((r) => typeof r.fingerprintSha256 === 'string') : [];
  } catch {
    return [];
  }
}

/** The PEM bundle of every published certificate. */
export function readCertificatesPem(configMap: ConfigMapObject | undefined): string {
  return configMap?.data?.[CERTIFICATES_KEY] ?? '';
}

/**
 * The ConfigMap after appending `records` (with their PEM) to `existing`: records already listed
 * are kept as they are and never removed or reordered.
 */
export function appendRecords(
  signer: RepositorySigner,
  name: string,
  existing: ConfigMapObject | undefined,
  additions: readonly { readonly record: PublishedRecord; readonly certificatePem: string }[],
  publishedAt: string,
): ConfigMapObject {
  const records = readRecords(existing);
  let pem = readCertificatesPem(existing);
  for (const { record, certificatePem } of additions) {
    if (records.some((r) => r.fingerprintSha256 === record.fingerprintSha256)) continue;
    records.push({ ...record, publishedAt });
    pem += certificatePem.endsWith('\n') ? certificatePem : `${certificatePem}\n`;
  }
  return {
    ...(existing ?? {}),
    metadata: {
      ...(existing?.metadata ?? {}),
      name,
      namespace: signer.metadata.namespace,
      labels: { ...(existing?.metadata?.labels ?? {}), ...ownedLabels(signer, 'records') },
    },
    data: { ...(existing?.data ?? {}), [RECORDS_KEY]: `${JSON.stringify(records, null, 2)}\n`, [CERTIFICATES_KEY]: pem },
  };
}
