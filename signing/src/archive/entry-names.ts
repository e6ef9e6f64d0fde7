// SPDX-License-Identifier: MIT
// Entry names a feed must refuse: a package whose files would land outside the folder the client
// extracts it into (zip slip), or that names files no file system can hold.

import type { ZipEntry } from './package-archive.js';

/** Why an entry name is unsafe, or undefined when it is fine. */
export function unsafeEntryNameReason(name: string): string | undefined {
  // Old Windows-made packages use backslashes as separators, so both separators split segments.
  const segments = name.split(/[/\\]/);
  if (name.includes('\0')) return 'contains a NUL character';
  if (/^[/\\]/.test(name) || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (segments.includes('..')) return "has a '..' segment";
  return undefined;
}

/** The first entry whose name is unsafe, with the reason; undefined when every name is safe. */
export function findUnsafeEntryName(entries: readonly ZipEntry[]): { name: string; reason: string } | undefined {
  for (const entry of entries) {
    const reason = unsafeEntryNameReason(entry.name);
    if (reason) return { name: entry.name, reason };
  }
  return undefined;
}
