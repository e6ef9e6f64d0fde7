// SPDX-License-Identifier: MIT
// Query options of write requests (`fieldManager`, `dryRun`, `fieldValidation`, `force`) and the
// outcome the HTTP layer turns into a response.

import type { KubeObject } from './json-value.js';
import { invalid } from './status-error.js';

/** Options common to create, update, patch and apply. */
export interface WriteOptions {
  /** The `fieldManager` parameter, or the manager derived from the User-Agent. */
  fieldManager: string;
  /** Whether `fieldManager` was given explicitly. */
  explicitManager: boolean;
  dryRun: boolean;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  /** `force` for apply patches; undefined when absent. */
  force?: boolean;
  /** Set for writes to `/status`. */
  subresource?: 'status';
}

/** A successful write. */
export interface WriteResult {
  object: KubeObject;
  /** 201 for creates, 200 otherwise. */
  code: number;
  warnings: string[];
}

/** Reads the write options from a request's query string and User-Agent. */
export function readWriteOptions(query: URLSearchParams, userAgent: string | undefined): WriteOptions {
  const explicit = query.get('fieldManager');
  const validation = query.get('fieldValidation') ?? 'Warn';
  const errors = [];
  if (!['Strict', 'Warn', 'Ignore'].includes(validation)) {
    errors.push({
      type: 'FieldValueNotSupported' as const,
      field: 'fieldValidation',
      value: validation,
      detail: 'supported values: "Ignore", "Strict", "Warn"',
    });
  }
  if (errors.length > 0) throw invalid({ group: 'meta.k8s.io', name: 'PatchOptions' }, '', errors);
  const force = query.get('force');
  return {
    fieldManager: explicit ?? (userAgent ?? 'unknown').split('/')[0],
    explicitManager: explicit !== null && explicit !== '',
    dryRun: query.getAll('dryRun').includes('All'),
    fieldValidation: validation as WriteOptions['fieldValidation'],
    force: force === null ? undefined : force === 'true' || force === '1',
  };
}
