// SPDX-License-Identifier: MIT
// The package archive layer of the signing engine: ZIP validation, package hash, signature writing.

export type { ArchivePiece } from './archive-piece.js';
export { parseNuspec, readNuspec, type NuspecDependency, type NuspecDependencyGroup, type NuspecInfo } from './nuspec.js';
export { PackageArchive, type OpenArchiveOptions, type ZipEntry } from './package-archive.js';
export { computePackageHash } from './package-hash.js';
export { findUnsafeEntryName } from './entry-names.js';
export { SIGNATURE_NAME } from './signature-records.js';
export { writeSignedPackage, writeUnsignedPackage, type SignedPackageOptions } from './signature-writer.js';
