// SPDX-License-Identifier: MIT
// The pieces every handler shares: storage, served resources, the clock and the CEL validator.

import type { CelValidator } from './cel-rules.js';
import type { Clock } from './clock.js';
import type { KubeObject } from './json-value.js';
import type { ObjectStore } from './object-store.js';
import type { ResourceRegistry } from './resource-registry.js';
import type { ResourceType } from './resource-type.js';

/** Called after a write reached storage (or an object left it). */
export type CommitListener = (type: ResourceType, object: KubeObject, removed: boolean) => void;

/** Shared server state. */
export interface ServerState {
  readonly store: ObjectStore;
  readonly registry: ResourceRegistry;
  readonly clock: Clock;
  readonly cel: CelValidator;
  readonly commitListeners: CommitListener[];
}
