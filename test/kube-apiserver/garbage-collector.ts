// SPDX-License-Identifier: MIT
// Emulates kube-controller-manager's garbage collector and namespace controller, switchable so a
// test can choose envtest-like (off) or cluster-like (on) behaviour.

import type { KubeObject, OwnerReference } from './json-value.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type ResourceDeleter } from './resource-deleter.js';
import { storageKeyOf, type ResourceType } from './resource-type.js';
import type { ResourceWriter } from './resource-writer.js';
import type { ServerState } from './server-state.js';

const CONTROLLER_OPTIONS = { fieldManager: 'kube-controller-manager', explicitManager: true, dryRun: false, fieldValidation: 'Ignore' as const };

/** Background, Foreground and Orphan propagation, dangling owners, and namespace cleanup. */
export class GarbageCollector {
  private enabled: boolean;
  private scheduled = false;

  /** Starts enabled or not; `sweep` runs after commits while enabled. */
  constructor(
    private readonly state: ServerState,
    private readonly writer: ResourceWriter,
    private readonly deleter: ResourceDeleter,
    enabled: boolean,
  ) {
    this.enabled = enabled;
  }

  /** Turns the controllers on or off; turning them on sweeps at once. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (enabled) this.schedule();
  }

  /** Whether the controllers run. */
  isEnabled(): boolean {
    return this.enabled;
  }

  /** The commit listener: schedules a sweep on the next tick, as the real controller lags writes. */
  onCommit(): void {
    if (this.enabled) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.enabled) this.sweep();
    });
  }

  /** One pass over every object; repeated passes are scheduled by the writes it makes. */
  sweep(): void {
    const everything = this.state.registry
      .all()
      .filter((t, i, all) => all.findIndex((o) => storageKeyOf(o) === storageKeyOf(t)) === i)
      .flatMap((type) => this.state.store.list(storageKeyOf(type)).map((object) => ({ type, object })));
    const uids = new Set(everything.map((e) => e.object.metadata.uid));
    for (const { type, object } of everything) {
      this.collectDependent(type, object, uids, everything);
      if (object.metadata.deletionTimestamp !== undefined) this.finishOwner(type, object, everything);
    }
  }

  private ownerExists(ref: OwnerReference, dependent: KubeObject): boolean {
    const ownerType = this.state.registry.findByKind(ref.apiVersion, ref.kind);
    if (ownerType === undefined) return false;
    if (ownerType.namespaced && dependent.metadata.namespace === undefined) return false;
    const owner = this.state.store.get(storageKeyOf(ownerType), ownerType.namespaced ? dependent.metadata.namespace : undefined, ref.name);
    return owner?.metadata.uid === ref.uid;
  }

  private collectDependent(type: ResourceType, object: KubeObject, uids: Set<string | undefined>, everything: { object: KubeObject }[]): void {
    const refs = object.metadata.ownerReferences ?? [];
    if (refs.length === 0 || object.metadata.deletionTimestamp !== undefined) return;
    const live = refs.filter((ref) => uids.has(ref.uid) && this.ownerExists(ref, object));
    const deletingForeground = live.filter((ref) => {
      const owner = everything.find((e) => e.object.metadata.uid === ref.uid)?.object;
      return owner?.metadata.finalizers?.includes(FOREGROUND_FINALIZER) === true && owner.metadata.deletionTimestamp !== undefined;
    });
    if (live.length === 0) {
      this.deleter.deleteQuietly(type, object);
    } else if (deletingForeground.length === live.length) {
      this.deleter.deleteQuietly(type, object, 'Foreground');
    } else if (live.length < refs.length) {
      this.writer.replace(type, object, { ...object, metadata: { ...object.metadata, ownerReferences: live } }, CONTROLLER_OPTIONS);
    }
  }

  private finishOwner(type: ResourceType, owner: KubeObject, everything: { type: ResourceType; object: KubeObject }[]): void {
    const finalizers = owner.metadata.finalizers ?? [];
    const dependents = everything.filter((e) => (e.object.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid));
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const { type: depType, object } of dependents) {
        const ownerReferences = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
        const metadata: KubeObject['metadata'] = { ...object.metadata, ownerReferences };
        if (ownerReferences.length === 0) delete metadata.ownerReferences;
        this.writer.replace(depType, object, { ...object, metadata }, CONTROLLER_OPTIONS);
      }
      this.dropFinalizer(type, owner, ORPHAN_FINALIZER);
    } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
      const blocking = dependents.filter((d) => d.object.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid && r.blockOwnerDeletion === true));
      if (blocking.length === 0) this.dropFinalizer(type, owner, FOREGROUND_FINALIZER);
    } else if (type.kind === 'Namespace' && type.group === '') {
      this.finishNamespace(type, owner, everything);
    }
  }

  private finishNamespace(type: ResourceType, namespace: KubeObject, everything: { type: ResourceType; object: KubeObject }[]): void {
    const contents = everything.filter((e) => e.object.metadata.namespace === namespace.metadata.name);
    for (const { type: t, object } of contents) {
      if (object.metadata.deletionTimestamp === undefined) this.deleter.deleteQuietly(t, object);
    }
    if (contents.length > 0 || (namespace.metadata.finalizers ?? []).length > 0) return;
    const gone = this.state.store.remove(storageKeyOf(type), namespace);
    if (gone !== undefined) this.writer.notify(type, gone, true);
  }

  private dropFinalizer(type: ResourceType, object: KubeObject, finalizer: string): void {
    const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.writer.replace(type, object, { ...object, metadata: { ...object.metadata, finalizers } }, CONTROLLER_OPTIONS);
  }
}
