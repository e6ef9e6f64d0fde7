// SPDX-License-Identifier: MIT
// Writes a package without its signature (C1) or with a new `.signature.p7s` appended the way NuGet
// does (spec §2.3). Output goes to a temporary file beside the target that is renamed onto it.

import { createHash, randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, open as openFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ReposignError } from '../errors.js';
import { hashAlgorithm, type HashAlgorithmName } from '../hash-algorithm.js';
import { piecesLength, pushBytes, type ArchivePiece } from './archive-piece.js';
import type { PackageArchive } from './package-archive.js';
import { hashPieces } from './package-hash.js';
import { memorySource, readRange, streamPieces } from './piece-stream.js';
import {
  SIGNATURE_CENTRAL_RECORD_SIZE,
  SIGNATURE_LOCAL_HEADER_SIZE,
  SIGNATURE_NAME,
  encodeSignatureCentralRecord,
  encodeSignatureLocalHeader,
} from './signature-records.js';
import { unsignedLayout, type UnsignedLayout } from './unsigned-layout.js';
import { encodeEndOfCentralDirectory } from './zip-records.js';

/** Options of {@link writeSignedPackage}. */
export interface SignedPackageOptions {
  /** Time written to the signature entry's DOS date/time fields (local time, as NuGet); defaults to now. */
  lastModified?: Date;
}

const MAX_ARCHIVE_SIZE = 0x1_0000_0000;
const MAX_SIGNABLE_ENTRIES = 0xfffd;

/**
 * What follows the local entries: fixed pieces (unsigned output), or pieces that depend on the
 * package hash, computed with `hash` on the way (signed output).
 */
type Tail =
  | { kind: 'fixed'; pieces: readonly ArchivePiece[] }
  | { kind: 'hashed'; hash: HashAlgorithmName; pieces: (packageHash: Uint8Array) => Promise<readonly ArchivePiece[]> };

async function writeFully(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    written += (await handle.write(chunk, written, chunk.length - written, position + written)).bytesWritten;
  }
}

async function writePieces(archive: PackageArchive, out: FileHandle, position: number, pieces: readonly ArchivePiece[], onChunk?: (chunk: Uint8Array) => void): Promise<number> {
  let at = position;
  await streamPieces(archive, pieces, async (chunk) => {
    onChunk?.(chunk);
    await writeFully(out, chunk, at);
    at += chunk.length;
  });
  return at;
}

/** The bytes of `pieces` as views of `bytes` (the whole file, in memory) and literal runs. */
function viewPieces(bytes: Uint8Array, pieces: readonly ArchivePiece[]): Uint8Array[] {
  return pieces.map((piece) => (piece.kind === 'range' ? bytes.subarray(piece.start, piece.end) : piece.bytes));
}

/** Most buffers one writev takes (IOV_MAX on Linux). */
const WRITEV_LIMIT = 1024;

/** Writes `chunks` one after another from `position` with as few system calls as the kernel allows. */
async function writeChunks(handle: FileHandle, chunks: readonly Uint8Array[], position: number): Promise<void> {
  let at = position;
  let pending = chunks.filter((chunk) => chunk.length > 0);
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending.slice(0, WRITEV_LIMIT), at);
    at += bytesWritten;
    // Drop what was written; after a short write, the rest of a chunk goes with the next call.
    let done = 0;
    while (done < pending.length && bytesWritten >= pending[done].length) bytesWritten -= pending[done++].length;
    pending = pending.slice(done);
    if (bytesWritten > 0) pending[0] = pending[0].subarray(bytesWritten);
  }
}

/**
 * Fills the new file `temporary` from a package held in memory: the local entries are written while
 * the tail is made (hash and signature), then the tail after them. Returns the file, still open, and
 * its size; on failure it is closed (the caller removes it).
 */
async function writeFromMemory(bytes: Uint8Array, temporary: string, layout: UnsignedLayout, tail: Tail): Promise<{ out: FileHandle; size: number }> {
  const writingEntries = openFile(temporary, 'wx').then(async (out) => {
    try {
      await writeChunks(out, viewPieces(bytes, layout.entryPieces), 0);
      return out;
    } catch (error) {
      await out.close().catch(() => undefined);
      throw error;
    }
  });
  const finishing =
    tail.kind === 'fixed' ? Promise.resolve(tail.pieces) : hashPieces(memorySource(bytes), layout.pieces, tail.hash).then(tail.pieces);
  const [written, finished] = await Promise.allSettled([writingEntries, finishing]);
  if (written.status === 'rejected') throw written.reason;
  const out = written.value;
  try {
    if (finished.status === 'rejected') throw finished.reason;
    await writeChunks(out, viewPieces(bytes, finished.value), layout.entriesLength);
    return { out, size: layout.entriesLength + piecesLength(finished.value) };
  } catch (error) {
    await out.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Writes the local entries of `layout`, then the tail, to a temporary file that is renamed onto
 * `outputPath`; returns the size of the file written. A package held in memory is written from
 * there. Otherwise, when the entries are one range of the input starting at 0, the kernel copies
 * the input while the hash is computed, and the tail is then written over the end of the copy.
 */
async function writePackage(archive: PackageArchive, outputPath: string, layout: UnsignedLayout, tail: Tail): Promise<number> {
  const temporary = join(dirname(outputPath), `.${basename(outputPath)}.${randomUUID()}.tmp`);
  let out: FileHandle | undefined;
  let size: number;
  try {
    if (archive.bytes !== undefined) {
      ({ out, size } = await writeFromMemory(archive.bytes, temporary, layout, tail));
    } else if (layout.entriesContiguous && (await archive.isFileAt(archive.path))) {
      // The copy is opened as soon as it is complete, while the hash and the signature are still being made.
      const opening = copyFile(archive.path, temporary, fsConstants.COPYFILE_EXCL).then(() => openFile(temporary, 'r+'));
      const finishing =
        tail.kind === 'fixed' ? Promise.resolve(tail.pieces) : hashPieces(archive, layout.pieces, tail.hash).then(tail.pieces);
      const [opened, finished] = await Promise.allSettled([opening, finishing]);
      if (opened.status === 'rejected') throw opened.reason;
      out = opened.value;
      if (finished.status === 'rejected') throw finished.reason;
      // The tail replaces the end of the copy: one read for its central directory, one write.
      const tailChunks = await Promise.all(
        finished.value.map(async (piece) => (piece.kind === 'range' ? readRange(archive, piece.start, piece.end - piece.start) : piece.bytes)),
      );
      await writeChunks(out, tailChunks, layout.entriesLength);
      size = layout.entriesLength + piecesLength(finished.value);
      if (size < archive.size) await out.truncate(size);
    } else {
      out = await openFile(temporary, 'wx');
      if (tail.kind === 'fixed') {
        size = await writePieces(archive, out, await writePieces(archive, out, 0, layout.entryPieces), tail.pieces);
      } else {
        const hasher = createHash(hashAlgorithm(tail.hash).nodeName);
        const entriesEnd = await writePieces(archive, out, 0, layout.entryPieces, (chunk) => hasher.update(chunk));
        const rest: ArchivePiece[] = [...layout.centralDirectoryPieces, { kind: 'bytes', bytes: layout.endOfCentralDirectory }];
        await streamPieces(archive, rest, (chunk) => {
          hasher.update(chunk);
        });
        size = await writePieces(archive, out, entriesEnd, await tail.pieces(new Uint8Array(hasher.digest())));
      }
    }
    await out.close();
    out = undefined;
    await rename(temporary, outputPath);
  } catch (error) {
    await out?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  return size;
}

/**
 * Writes `archive` without its signature entry (C1) to `outputPath`, atomically. For a signature that
 * NuGet appended, the result is byte-identical to the package before it was signed.
 */
export async function writeUnsignedPackage(archive: PackageArchive, outputPath: string): Promise<void> {
  const layout = unsignedLayout(archive);
  await writePackage(archive, outputPath, layout, {
    kind: 'fixed',
    pieces: [...layout.centralDirectoryPieces, { kind: 'bytes', bytes: layout.endOfCentralDirectory }],
  });
}

/**
 * Signs `archive` into `outputPath` (which may be `archive.path`): hashes the unsigned package with
 * `hash`, passes that package hash to `makeSignature`, and writes the unsigned package with the
 * returned `.signature.p7s` appended as in spec §2.3 (entry after the last local entry, central
 * directory unchanged, new record last, EOCD adjusted). Any existing signature is replaced. The
 * output appears only complete (temporary file and rename; flushing it to the disk is the caller's, as the feed's store does); on any error, including one thrown by
 * `makeSignature`, nothing is left behind. Throws ARCHIVE_TOO_MANY_ENTRIES (NU3039), ARCHIVE_TOO_LARGE,
 * SIGNATURE_ENTRY_INVALID when an entry with a UTF-8 flagged `.signature.p7s` name would shadow the
 * new one, INVALID_ARGUMENT for an empty signature, or what `makeSignature` throws. Returns the size of
 * the signed package.
 */
export async function writeSignedPackage(
  archive: PackageArchive,
  outputPath: string,
  hash: HashAlgorithmName,
  makeSignature: (packageHash: Uint8Array) => Promise<Uint8Array>,
  options: SignedPackageOptions = {},
): Promise<number> {
  const layout = unsignedLayout(archive);
  if (layout.entryCount > MAX_SIGNABLE_ENTRIES) {
    throw new ReposignError('ARCHIVE_TOO_MANY_ENTRIES', 'A signature entry would need Zip64.', { nugetCode: 'NU3039' });
  }
  if (archive.entries.some((entry) => entry !== archive.signatureEntry && entry.name === SIGNATURE_NAME)) {
    throw new ReposignError('SIGNATURE_ENTRY_INVALID', 'An entry named .signature.p7s with the UTF-8 flag would shadow the signature.', {
      nugetCode: 'NU3005',
    });
  }
  const modified = options.lastModified ?? new Date();
  const appendSignature = async (packageHash: Uint8Array): Promise<ArchivePiece[]> => {
    const signature = await makeSignature(packageHash);
    if (signature.length === 0) throw new ReposignError('INVALID_ARGUMENT', 'The signature to embed is empty.');
    const signatureSpan = SIGNATURE_LOCAL_HEADER_SIZE + signature.length;
    const tail: ArchivePiece[] = [];
    pushBytes(tail, encodeSignatureLocalHeader(signature, modified));
    pushBytes(tail, signature);
    tail.push(...layout.centralDirectoryPieces);
    pushBytes(tail, encodeSignatureCentralRecord(signature, layout.entriesLength, modified));
    pushBytes(
      tail,
      encodeEndOfCentralDirectory({
        diskNumber: 0,
        centralDirectoryDisk: 0,
        entriesOnDisk: layout.entryCount + 1,
        totalEntries: layout.entryCount + 1,
        centralDirectorySize: layout.centralDirectorySize + SIGNATURE_CENTRAL_RECORD_SIZE,
        centralDirectoryOffset: layout.entriesLength + signatureSpan,
        comment: layout.comment,
      }),
    );
    if (layout.entriesLength + piecesLength(tail) >= MAX_ARCHIVE_SIZE) {
      throw new ReposignError('ARCHIVE_TOO_LARGE', 'The signed package would be 4 GiB or larger.');
    }
    return tail;
  };
  return writePackage(archive, outputPath, layout, { kind: 'hashed', hash, pieces: appendSignature });
}
