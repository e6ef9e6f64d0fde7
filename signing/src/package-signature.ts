// SPDX-License-Identifier: MIT
// Reads a package's signature and names its kind: unsigned, author, repository, or both.

import type { PackageArchive } from './archive/index.js';
import { oncePerArchive } from './archive/per-archive.js';
import { parseSignature, type ParsedSignature } from './cms/signature-reader.js';

/** Which signatures a package carries. */
export type PackageSignatureKind = 'unsigned' | 'author' | 'repository' | 'author+repository';

/** The kind of a parsed signature (undefined = unsigned). */
export function signatureKind(signature: ParsedSignature | undefined): PackageSignatureKind {
  if (!signature) return 'unsigned';
  if (signature.primary.type === 'repository') return 'repository';
  return signature.countersignatures.some((counter) => counter.type === 'repository') ? 'author+repository' : 'author';
}

/** Reads and parses the package's signature, if it has one; once per open archive. */
export const readPackageSignature: (archive: PackageArchive) => Promise<ParsedSignature | undefined> = oncePerArchive(async (archive) => {
  const bytes = await archive.readSignatureFile();
  return bytes ? parseSignature(bytes) : undefined;
});
