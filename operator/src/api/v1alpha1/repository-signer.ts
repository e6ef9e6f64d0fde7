// SPDX-License-Identifier: MIT
// A whole RepositorySigner object as the operator reads it: metadata, spec and status.

import type { RepositorySignerSpec } from './spec.js';
import type { RepositorySignerStatus } from './status.js';

/** The metadata fields the operator reads. */
export interface RepositorySignerMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
}

/** A RepositorySigner custom resource. */
export interface RepositorySigner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: RepositorySignerMetadata;
  readonly spec: RepositorySignerSpec;
  readonly status?: RepositorySignerStatus;
}
