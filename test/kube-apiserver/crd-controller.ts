// SPDX-License-Identifier: MIT
// Emulates the apiextensions controllers: serving a CRD's kinds once it is stored, publishing its
// status, and removing its custom resources when it goes away.

import { formatTimestamp } from './clock.js';
import { crdResourceTypes, crdStatus } from './crd-definition.js';
import { deepEqual, isObject, type KubeObject } from './json-value.js';
import type { ResourceType } from './resource-type.js';
import type { ResourceWriter } from './resource-writer.js';
import type { ServerState } from './server-state.js';

/** Keeps served resources in step with stored CRDs. */
export class CrdController {
  /** Binds the controller to the shared state and the writer it publishes status through. */
  constructor(
    private readonly state: ServerState,
    private readonly writer: ResourceWriter,
  ) {}

  /** The commit listener to register on the server state. */
  onCommit(type: ResourceType, object: KubeObject, removed: boolean): void {
    if (type.group !== 'apiextensions.k8s.io' || type.kind !== 'CustomResourceDefinition') return;
    const name = object.metadata.name!;
    if (removed) {
      this.removeCustomResources(name);
      this.state.registry.setCustom(name, []);
      return;
    }
    this.state.registry.setCustom(name, crdResourceTypes(object));
    const previous = isObject(object.status) ? object.status : {};
    const status = crdStatus(object, formatTimestamp(this.state.clock.now()));
    const conditionsOf = (s: Record<string, unknown>): unknown =>
      Array.isArray(s.conditions) ? s.conditions.map((c: Record<string, unknown>) => [c.type, c.status]) : [];
    if (deepEqual(previous.acceptedNames, status.acceptedNames) && deepEqual(conditionsOf(previous), conditionsOf(status))) return;
    const options = { fieldManager: 'kube-apiserver', explicitManager: true, dryRun: false, fieldValidation: 'Ignore' as const, subresource: 'status' as const };
    this.writer.replace(type, object, { ...object, status }, options);
  }

  private removeCustomResources(crdName: string): void {
    for (const type of this.state.registry.all().filter((t) => t.custom?.crdName === crdName).slice(0, 1)) {
      for (const object of this.state.store.list(`${type.group}/${type.plural}`)) {
        const gone = this.state.store.remove(`${type.group}/${type.plural}`, object);
        if (gone !== undefined) this.writer.notify(type, gone, true);
      }
    }
  }
}
