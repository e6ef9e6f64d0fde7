// SPDX-License-Identifier: MIT
// A Secret volume laid out the way the kubelet writes one: the keys live in a timestamped
// directory, `..data` points at it, and each key is a symlink through `..data`. An update writes a
// new directory and renames a fresh `..data` symlink over the old one, so readers see either the
// whole old Secret or the whole new one.

import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A mounted Secret volume. */
export interface SecretVolume {
  readonly dir: string;
  /** Publishes `data` (key → bytes) atomically, as the kubelet does on a Secret change. */
  update(data: Readonly<Record<string, Uint8Array>>): Promise<void>;
}

/** Mounts `data` at `dir` (created if needed). */
export async function mountSecretVolume(dir: string, data: Readonly<Record<string, Uint8Array>>): Promise<SecretVolume> {
  await mkdir(dir, { recursive: true });
  let revision = 0;
  let current: string | undefined;
  const linked = new Set<string>();
  const update = async (next: Readonly<Record<string, Uint8Array>>): Promise<void> => {
    revision++;
    const version = `..2026_01_01_00_00_${String(revision).padStart(2, '0')}.${process.pid}`;
    await mkdir(join(dir, version));
    for (const [key, bytes] of Object.entries(next)) await writeFile(join(dir, version, key), bytes, { mode: 0o644 });
    await symlink(version, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    for (const key of Object.keys(next)) {
      if (linked.has(key)) continue;
      await symlink(join('..data', key), join(dir, key));
      linked.add(key);
    }
    if (current !== undefined) await rm(join(dir, current), { recursive: true, force: true });
    current = version;
  };
  await update(data);
  return { dir, update };
}

/** The decoded `data` of a Secret object. */
export function secretData(secret: { readonly data?: Readonly<Record<string, string>> } | undefined): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
}
