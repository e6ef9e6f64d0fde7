// SPDX-License-Identifier: MIT
// A Kubernetes Secret volume as the kubelet lays it out: the files live in a timestamped
// directory, `..data` is a symlink to it, and each key is a symlink through `..data`. An update
// writes a new directory and atomically renames a fresh `..data` symlink over the old one.

import { copyFile, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A mounted Secret directory holding one file. */
export interface MountedSecret {
  /** The path the application is configured with (`<dir>/<key>`). */
  readonly path: string;
  /** Publishes new content the way the kubelet does. */
  update(sourceFile: string): Promise<void>;
}

/** Mounts `sourceFile` as key `key` of a Secret volume at `dir`. */
export async function mountSecret(dir: string, key: string, sourceFile: string): Promise<MountedSecret> {
  let revision = 0;
  const publish = async (file: string): Promise<void> => {
    revision++;
    const version = `..2026_01_01_00_00_0${revision}.${process.pid}`;
    await mkdir(join(dir, version), { recursive: true });
    await copyFile(file, join(dir, version, key));
    await symlink(version, join(dir, '..data_tmp'));
    const previous = revision > 1 ? `..2026_01_01_00_00_0${revision - 1}.${process.pid}` : undefined;
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    if (previous !== undefined) await rm(join(dir, previous), { recursive: true, force: true });
  };
  await mkdir(dir, { recursive: true });
  await publish(sourceFile);
  await symlink(join('..data', key), join(dir, key));
  return { path: join(dir, key), update: publish };
}
