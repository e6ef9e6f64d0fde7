// SPDX-License-Identifier: MIT
// The set of served resources: built-ins plus whatever installed CRDs define.

import { builtinResources } from './builtin-resources.js';
import type { ResourceType } from './resource-type.js';

/** A group with its served versions, preferred first. */
export interface ServedGroup {
  name: string;
  versions: string[];
}

/** Looks served resources up by URL segments and lists them for discovery. */
export class ResourceRegistry {
  private readonly types: ResourceType[] = builtinResources();

  /** The resource served at `/<group>/<version>/<plural>`, if any. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** The resource of `apiVersion`/`kind`, if served. */
  findByKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** Every resource of a group/version. */
  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }

  /** Every served resource. */
  all(): readonly ResourceType[] {
    return this.types;
  }

  /** The named groups (not core) in the order they were first served. */
  groups(): ServedGroup[] {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      if (t.group === '') continue;
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions }));
  }

  /** Replaces the resources a CRD defines (none when `types` is empty). */
  setCustom(crdName: string, types: ResourceType[]): void {
    for (let i = this.types.length - 1; i >= 0; i--) {
      if (this.types[i].custom?.crdName === crdName) this.types.splice(i, 1);
    }
    this.types.push(...types);
  }
}
