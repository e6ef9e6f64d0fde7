// SPDX-License-Identifier: MIT
// An open .nupkg, validated the way NuGet's byte-level signing code reads it (spec §2, §2.4). A small
// package is read whole, most with one read; of a larger one, only the EOCD region, the central
// directory and the local headers are read into memory.

import type { Stats } from 'node:fs';
import { open as openFile, stat, type FileHandle } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import { BufferPool } from '../buffer-pool.js';
import { ReposignError } from '../errors.js';
import type { ArchivePiece } from './archive-piece.js';
import { chunkBuffers, fileSource, memorySource, plainBytes, readFully, readRange, type PositionedSource } from './piece-stream.js';
import { SIGNATURE_NAME } from './signature-records.js';
import { unsignedLayout } from './unsigned-layout.js';
import {
  EOCD_SIZE,
  FLAG_ENCRYPTED,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  MAX_COMMENT_SIZE,
  decodeCentralDirectory,
  decodeEndOfCentralDirectory,
  decodeLocalHeader,
  localHeaderVariableLength,
  type CentralRecord,
  type LocalHeader,
} from './zip-records.js';

/** One central-directory record of the package, with the positions the signing algorithms need. */
export interface ZipEntry {
  /** The name, decoded as UTF-8 when flag bit 11 is set and as Latin-1 otherwise. */
  readonly name: string;
  readonly rawName: Uint8Array;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly externalAttributes: number;
  /** The local header offset as stored in the central directory. */
  readonly localHeaderOffset: number;
  /** Where this central-directory record starts in the file. */
  readonly centralDirectoryOffset: number;
  /** 46 + name + extra + comment lengths. */
  readonly centralDirectoryRecordSize: number;
  /** Spec §3.2: the next larger local header offset (or the CD start) minus this entry's. */
  readonly span: number;
}

/** Limits applied by {@link PackageArchive.open}. */
export interface OpenArchiveOptions {
  /** Most entries allowed besides `.signature.p7s`; NuGet's limit (NU3039) is 0xFFFD, the default. */
  maxEntries?: number;
  /**
   * Packages of at most this many bytes are read whole (one read up to 256 KiB, two above), and
   * signed copies of them are written from memory; larger ones are read by range. Default 2 MiB; 0
   * reads every package by range.
   */
  inMemoryLimit?: number;
  /**
   * Read the package into a buffer kept between opens, given back by {@link PackageArchive.close}:
   * a signer that opens package after package then allocates nothing per package, and so stops
   * setting off V8's full collections (a new 1 MB buffer per package did, every ~10 packages). The
   * caller promises that nothing read from the archive (its `bytes`, a range, a parsed signature)
   * is used after close(). Default false.
   */
  reuseMemory?: boolean;
}

const MAX_ARCHIVE_SIZE = 0x1_0000_0000;
const MAX_CENTRAL_DIRECTORY_SIZE = 64 * 1024 * 1024;
const MAX_SIGNATURE_FILE_SIZE = 16 * 1024 * 1024;
const LOCAL_HEADER_WINDOW = 256 * 1024;
/**
 * Packages up to this size are read whole when opened: one read instead of a dozen, and the signed
 * copy is written from memory. Larger ones are read by range and copied by the kernel, which is
 * faster once reading and hashing can overlap.
 */
const IN_MEMORY_LIMIT = 2 * 1024 * 1024;
/**
 * Bytes read together with the stat when a package is opened: a package this small is read in one
 * round trip, and a larger one wastes little.
 */
const HEAD_LENGTH = 256 * 1024;

/**
 * Whole-read buffers given back by archives opened with `reuseMemory`: at most 4 of 2 MiB are kept
 * (a burst of concurrent opens allocates more and the extra ones are dropped).
 */
const spareBuffers = new BufferPool(IN_MEMORY_LIMIT, 4);
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const SIGNATURE_NAME_BYTES = new TextEncoder().encode(SIGNATURE_NAME);
const NO_BYTES = new Uint8Array(0);

function isSignatureRecord(record: CentralRecord): boolean {
  return (record.flags & FLAG_UTF8) === 0 && sameBytes(record.rawName, SIGNATURE_NAME_BYTES);
}

function decodeName(record: CentralRecord): string {
  const { buffer, byteOffset, byteLength } = record.rawName;
  return Buffer.from(buffer, byteOffset, byteLength).toString((record.flags & FLAG_UTF8) !== 0 ? 'utf8' : 'latin1');
}

/** The package as opened: its path and stats (none for bytes handed over in memory), and how to release it. */
interface OpenedFile {
  readonly path: string;
  readonly size: number;
  readonly stats: Stats | undefined;
  /** Closes the file (for a package read whole, which is closed at once, waits for that). */
  readonly release: () => Promise<void>;
}

/**
 * `length` bytes from `position`: read into the start of `scratch` when given (a view valid until
 * the next read into it), otherwise as {@link readRange}.
 */
function readScratch(source: PositionedSource, scratch: Uint8Array | undefined, position: number, length: number): Promise<Uint8Array> {
  return scratch === undefined ? readRange(source, position, length) : readFully(source, scratch.subarray(0, length), position);
}

/**
 * Reads local headers in ascending offset order through one sliding window, so 65k entries cost a
 * few reads. A view it returns is valid until the next call.
 */
class LocalHeaderReader {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly source: PositionedSource,
    private readonly limit: number,
    private readonly scratch: Uint8Array | undefined,
  ) {}

  async bytes(position: number, length: number): Promise<Uint8Array> {
    if (position < this.windowStart || position + length > this.windowStart + this.window.length) {
      const size = Math.min(Math.max(length, LOCAL_HEADER_WINDOW), this.limit - position);
      this.window = await readScratch(this.source, this.scratch, position, size);
      this.windowStart = position;
    }
    return this.window.subarray(position - this.windowStart, position - this.windowStart + length);
  }
}

/**
 * An open package archive. `open` validates the whole ZIP structure NuGet's signer and verifier rely
 * on and throws a ReposignError for anything else; the `.signature.p7s` field rules of spec §2.2 are
 * checked by `readSignatureFile`, so a package whose signature entry is malformed can still be opened
 * and stripped (`unsignedPieces`). Call `close` when done.
 */
export class PackageArchive {
  readonly entries: readonly ZipEntry[];
  readonly signatureEntry: ZipEntry | undefined;
  readonly centralDirectoryOffset: number;
  readonly centralDirectorySize: number;
  readonly eocdOffset: number;
  readonly comment: Uint8Array;
  readonly path: string;
  readonly size: number;
  /** The whole file when the package is small enough to be read at once; undefined otherwise. */
  readonly bytes: Uint8Array | undefined;
  private readonly localHeaders: ReadonlyMap<ZipEntry, LocalHeader>;
  private pieces: readonly ArchivePiece[] | undefined;
  private readonly file: OpenedFile;
  private readonly source: PositionedSource;

  private constructor(
    file: OpenedFile,
    source: PositionedSource,
    layout: {
      entries: ZipEntry[];
      signatureEntry: ZipEntry | undefined;
      localHeaders: Map<ZipEntry, LocalHeader>;
      centralDirectoryOffset: number;
      centralDirectorySize: number;
      eocdOffset: number;
      comment: Uint8Array;
    },
  ) {
    this.path = file.path;
    this.size = file.size;
    this.file = file;
    this.source = source;
    this.bytes = source.bytes;
    this.entries = layout.entries;
    this.signatureEntry = layout.signatureEntry;
    this.localHeaders = layout.localHeaders;
    this.centralDirectoryOffset = layout.centralDirectoryOffset;
    this.centralDirectorySize = layout.centralDirectorySize;
    this.eocdOffset = layout.eocdOffset;
    this.comment = layout.comment;
  }

  /**
   * Opens and validates the package at `path` (spec §2.4): a single-disk, non-Zip64 archive below
   * 4 GiB whose EOCD directly follows the central directory, whose first local header is at 0 and
   * whose entries point to matching, non-overlapping local headers, with at most one `.signature.p7s`.
   * Throws ReposignError with an ARCHIVE_* code or SIGNATURE_MULTIPLE_ENTRIES.
   */
  static async open(path: string, options: OpenArchiveOptions = {}): Promise<PackageArchive> {
    let handle: FileHandle;
    try {
      handle = await openFile(path, 'r');
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      throw new ReposignError('ARCHIVE_UNREADABLE', `Cannot open the package '${path}' (${reason}).`, { cause: error });
    }
    let closing: Promise<void> | undefined;
    const limit = options.inMemoryLimit ?? IN_MEMORY_LIMIT;
    // With reuseMemory the head is read where the rest of the package will follow it.
    let spare = options.reuseMemory && limit > 0 && limit <= IN_MEMORY_LIMIT ? spareBuffers.take() : undefined;
    const giveBack = (): void => {
      if (spare !== undefined) spareBuffers.give(spare);
      spare = undefined;
    };
    const release = async (): Promise<void> => {
      try {
        await (closing ?? handle.close());
      } finally {
        giveBack();
      }
    };
    try {
      // The stat and a first read go to the thread pool together: most packages are read whole by then.
      const [opened, head] = await Promise.all([handle.stat(), limit > 0 ? readHead(handle, Math.min(limit, HEAD_LENGTH), spare) : NO_BYTES]);
      const { size } = opened;
      assertArchiveSize(size);
      let source = fileSource(handle);
      if (size > limit) giveBack();
      else {
        source = memorySource(await readWhole(handle, size, head, spare));
        // Nothing more is read from the file: release it while the package is validated and signed.
        closing = handle.close();
        closing.catch(() => undefined);
      }
      const layout = await readLayout(source, size, options.maxEntries ?? 0xfffd);
      return new PackageArchive({ path, size, stats: opened, release }, source, layout);
    } catch (error) {
      await release();
      throw error;
    }
  }

  /**
   * Validates a package already in memory (an upload received whole) as {@link open} validates a
   * file, without copying it; `bytes` must not change while the archive is in use. `path` is
   * empty. Throws like {@link open}.
   */
  static async fromBytes(bytes: Uint8Array, options: Pick<OpenArchiveOptions, 'maxEntries'> = {}): Promise<PackageArchive> {
    assertArchiveSize(bytes.length);
    const source = memorySource(bytes);
    const layout = await readLayout(source, bytes.length, options.maxEntries ?? 0xfffd);
    return new PackageArchive({ path: '', size: bytes.length, stats: undefined, release: async () => undefined }, source, layout);
  }

  /** Positioned read of the underlying file (as FileHandle.read); used to stream ranges of the package. */
  async read(buffer: Uint8Array, position: number): Promise<number> {
    return this.source.read(buffer, position);
  }

  /** True when `path` names the very file this archive has open (same device, inode and size). */
  async isFileAt(path: string): Promise<boolean> {
    const here = this.file.stats;
    if (here === undefined) return false;
    try {
      const there = await stat(path);
      return here.dev === there.dev && here.ino === there.ino && there.size === this.size;
    } catch {
      return false;
    }
  }

  /**
   * The raw `.signature.p7s` bytes, or undefined for an unsigned package. Applies the NU3005 field
   * rules of spec §2.2 to both headers and throws SIGNATURE_ENTRY_INVALID when one fails or when the
   * file exceeds 16 MiB.
   */
  async readSignatureFile(): Promise<Uint8Array | undefined> {
    const entry = this.signatureEntry;
    if (entry === undefined) return undefined;
    const local = this.localHeader(entry);
    const problem =
      entry.flags !== 0 || local.flags !== 0
        ? 'general purpose flags are not 0'
        : entry.method !== METHOD_STORED || local.method !== METHOD_STORED
          ? 'the entry is compressed'
          : entry.compressedSize !== entry.uncompressedSize || local.compressedSize !== local.uncompressedSize
            ? 'compressed and uncompressed sizes differ'
            : entry.externalAttributes !== 0
              ? 'external attributes are not 0'
              : local.uncompressedSize !== entry.uncompressedSize
                ? 'local and central sizes differ'
                : undefined;
    if (problem !== undefined) {
      throw new ReposignError('SIGNATURE_ENTRY_INVALID', `The .signature.p7s entry is invalid: ${problem}.`, { nugetCode: 'NU3005' });
    }
    if (entry.uncompressedSize > MAX_SIGNATURE_FILE_SIZE) {
      throw new ReposignError('SIGNATURE_ENTRY_INVALID', 'The .signature.p7s entry is larger than 16 MiB.');
    }
    return readRange(this.source, entry.localHeaderOffset + local.headerSize, entry.uncompressedSize);
  }

  /**
   * Decompresses the first entry named `name` (stored or deflate), refusing to produce more than
   * `maxBytes`, and checks its CRC-32. Throws ARCHIVE_ENTRY_NOT_FOUND, ARCHIVE_ENTRY_TOO_LARGE,
   * ARCHIVE_UNSUPPORTED_COMPRESSION (also for encrypted entries) or ARCHIVE_ENTRY_CORRUPT.
   */
  async readEntry(name: string, maxBytes: number): Promise<Uint8Array> {
    const entry = this.entries.find((candidate) => candidate.name === name);
    if (entry === undefined) throw new ReposignError('ARCHIVE_ENTRY_NOT_FOUND', `The package has no entry '${name}'.`);
    if ((entry.flags & FLAG_ENCRYPTED) !== 0) {
      throw new ReposignError('ARCHIVE_UNSUPPORTED_COMPRESSION', `Entry '${name}' is encrypted.`);
    }
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
      throw new ReposignError('ARCHIVE_UNSUPPORTED_COMPRESSION', `Entry '${name}' uses compression method ${entry.method}.`);
    }
    // Deflate's worst case (stored blocks) adds 5 bytes per 64 KiB, so a larger input cannot be honest.
    const compressedLimit = maxBytes + Math.ceil(maxBytes / 0xffff) * 5 + 16;
    if (entry.uncompressedSize > maxBytes || entry.compressedSize > compressedLimit) {
      throw new ReposignError('ARCHIVE_ENTRY_TOO_LARGE', `Entry '${name}' is larger than ${maxBytes} bytes.`);
    }
    const dataStart = entry.localHeaderOffset + this.localHeader(entry).headerSize;
    const raw = await readRange(this.source, dataStart, entry.compressedSize);
    const content = entry.method === METHOD_STORED ? raw : inflateCapped(raw, maxBytes, name);
    if (content.length !== entry.uncompressedSize || crc32(content) !== entry.crc32) {
      throw new ReposignError('ARCHIVE_ENTRY_CORRUPT', `Entry '${name}' does not match its recorded size or CRC-32.`);
    }
    return content;
  }

  /** The package without its signature entry, as pieces (spec §3.2 steps 5-8, C1); the whole file when unsigned. */
  unsignedPieces(): readonly ArchivePiece[] {
    this.pieces ??= unsignedLayout(this).pieces;
    return this.pieces;
  }

  /** Releases the file handle. */
  async close(): Promise<void> {
    await this.file.release();
  }

  private localHeader(entry: ZipEntry): LocalHeader {
    const header = this.localHeaders.get(entry);
    if (header === undefined) throw new ReposignError('ARCHIVE_ENTRY_NOT_FOUND', `Entry '${entry.name}' is not part of this archive.`);
    return header;
  }
}

function inflateCapped(raw: Uint8Array, maxBytes: number, name: string): Uint8Array {
  try {
    return inflateRawSync(raw, { maxOutputLength: Math.max(maxBytes, 1) });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ReposignError('ARCHIVE_ENTRY_TOO_LARGE', `Entry '${name}' inflates to more than ${maxBytes} bytes.`, { cause: error });
    }
    throw new ReposignError('ARCHIVE_ENTRY_CORRUPT', `Entry '${name}' is not valid deflate data.`, { cause: error });
  }
}

/** ARCHIVE_TOO_LARGE for a package that a ZIP without Zip64 cannot describe. */
function assertArchiveSize(size: number): void {
  if (size >= MAX_ARCHIVE_SIZE) throw new ReposignError('ARCHIVE_TOO_LARGE', 'The package is 4 GiB or larger.');
}

/**
 * At most the first `length` bytes of the file, with one read issued before the file's size is
 * known; into the start of `into` when given.
 */
async function readHead(handle: FileHandle, length: number, into?: Buffer): Promise<Uint8Array> {
  // Not zero-filled first: only the bytes read are kept.
  const buffer = into ?? Buffer.allocUnsafeSlow(length);
  const { bytesRead } = await handle.read(buffer, 0, length, 0);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
}

/**
 * The whole file of `size` bytes, given its first bytes `head`: the rest in one read when the kernel
 * allows; ARCHIVE_TRUNCATED when the file shrank meanwhile. With `into` (which `head` starts), the
 * rest is read after the head in place.
 */
async function readWhole(handle: FileHandle, size: number, head: Uint8Array, into?: Buffer): Promise<Uint8Array> {
  if (head.length >= size) return head.subarray(0, size);
  // Not zero-filled first: every byte is overwritten by the copy and the read, or the read fails.
  const buffer = into ?? Buffer.allocUnsafeSlow(size);
  const whole = new Uint8Array(buffer.buffer, buffer.byteOffset, size);
  if (into === undefined) whole.set(head);
  await readFully(fileSource(handle), whole.subarray(head.length), head.length);
  return whole;
}

/**
 * The layout of the archive in `source`. Of a package read by range, the EOCD region and then the
 * local headers are read into one pooled buffer in turn (nothing kept refers to it).
 */
async function readLayout(source: PositionedSource, size: number, maxEntries: number) {
  const scratch = source.bytes === undefined ? chunkBuffers.take() : undefined;
  try {
    return await readLayoutWith(source, size, maxEntries, scratch && plainBytes(scratch));
  } finally {
    if (scratch !== undefined) chunkBuffers.give(scratch);
  }
}

async function readLayoutWith(source: PositionedSource, size: number, maxEntries: number, scratch: Uint8Array | undefined) {
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT_SIZE);
  const tail = await readScratch(source, scratch, size - tailLength, tailLength);
  const head = await readRange(source, 0, Math.min(size, 4));
  const eocd = decodeEndOfCentralDirectory(tail, head, size);
  if (eocd.totalEntries > maxEntries + 1) {
    throw new ReposignError('ARCHIVE_TOO_MANY_ENTRIES', `The package has ${eocd.totalEntries} entries; at most ${maxEntries} can be signed.`, {
      nugetCode: 'NU3039',
    });
  }
  const cdStart = eocd.centralDirectoryOffset;
  if (cdStart + eocd.centralDirectorySize > eocd.offset) {
    throw new ReposignError('ARCHIVE_OUT_OF_BOUNDS', 'The central directory lies outside the file.');
  }
  if (cdStart + eocd.centralDirectorySize < eocd.offset) {
    throw new ReposignError('ARCHIVE_BAD_RECORD', 'Bytes sit between the central directory and the EOCD.');
  }
  if (eocd.centralDirectorySize > MAX_CENTRAL_DIRECTORY_SIZE) {
    throw new ReposignError('ARCHIVE_TOO_LARGE', 'The central directory is larger than 64 MiB.');
  }
  const directory = await readRange(source, cdStart, eocd.centralDirectorySize);
  const records = decodeCentralDirectory(directory, cdStart, eocd.totalEntries);

  const signatures = records.filter(isSignatureRecord);
  if (signatures.length > 1) {
    throw new ReposignError('SIGNATURE_MULTIPLE_ENTRIES', 'The package has more than one .signature.p7s entry.', { nugetCode: 'NU3005' });
  }
  if (records.length - signatures.length > maxEntries) {
    throw new ReposignError('ARCHIVE_TOO_MANY_ENTRIES', `The package has ${records.length} entries; at most ${maxEntries} can be signed.`, {
      nugetCode: 'NU3039',
    });
  }

  const byOffset = [...records].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  byOffset.forEach((record, index) => {
    if (record.localHeaderOffset + LOCAL_HEADER_SIZE > cdStart) {
      throw new ReposignError('ARCHIVE_OUT_OF_BOUNDS', `The local header of '${decodeName(record)}' lies outside the entry area.`);
    }
    if (index > 0 && byOffset[index - 1]?.localHeaderOffset === record.localHeaderOffset) {
      throw new ReposignError('ARCHIVE_OVERLAPPING_ENTRIES', `Two entries share the local header at ${record.localHeaderOffset}.`);
    }
  });
  if (byOffset.length > 0 && byOffset[0]?.localHeaderOffset !== 0) {
    throw new ReposignError('ARCHIVE_PREFIX_BYTES', 'Bytes precede the first local header.');
  }

  const entries = new Map<CentralRecord, ZipEntry>();
  const localHeaders = new Map<ZipEntry, LocalHeader>();
  const reader = new LocalHeaderReader(source, cdStart, scratch);
  for (const [index, record] of byOffset.entries()) {
    const next = byOffset[index + 1];
    const boundary = next?.localHeaderOffset ?? cdStart;
    const name = decodeName(record);
    const fixed = await reader.bytes(record.localHeaderOffset, LOCAL_HEADER_SIZE);
    const headerSize = LOCAL_HEADER_SIZE + localHeaderVariableLength(fixed);
    if (record.localHeaderOffset + headerSize > cdStart) {
      throw new ReposignError('ARCHIVE_OUT_OF_BOUNDS', `The local header of '${name}' runs into the central directory.`);
    }
    const local = decodeLocalHeader(await reader.bytes(record.localHeaderOffset, headerSize));
    if (local === undefined) throw new ReposignError('ARCHIVE_BAD_RECORD', `Entry '${name}' does not point to a local header.`);
    if (!sameBytes(local.rawName, record.rawName) || local.flags !== record.flags) {
      throw new ReposignError('ARCHIVE_BAD_RECORD', `The local header of '${name}' does not match its central-directory record.`);
    }
    if (record.localHeaderOffset + local.headerSize + record.compressedSize > boundary) {
      throw next === undefined
        ? new ReposignError('ARCHIVE_OUT_OF_BOUNDS', `The data of '${name}' runs into the central directory.`)
        : new ReposignError('ARCHIVE_OVERLAPPING_ENTRIES', `The data of '${name}' overlaps the next entry.`);
    }
    const entry: ZipEntry = {
      name,
      rawName: record.rawName,
      flags: record.flags,
      method: record.method,
      crc32: record.crc32,
      compressedSize: record.compressedSize,
      uncompressedSize: record.uncompressedSize,
      externalAttributes: record.externalAttributes,
      localHeaderOffset: record.localHeaderOffset,
      centralDirectoryOffset: record.position,
      centralDirectoryRecordSize: record.size,
      span: boundary - record.localHeaderOffset,
    };
    entries.set(record, entry);
    // Keep only the fields used later; the window buffer behind `local` is replaced as reading goes on.
    localHeaders.set(entry, { ...local, rawName: entry.rawName, extra: NO_BYTES });
  }

  const ordered = records.map((record) => entries.get(record) as ZipEntry);
  const signature = signatures[0];
  return {
    entries: ordered,
    signatureEntry: signature === undefined ? undefined : entries.get(signature),
    localHeaders,
    centralDirectoryOffset: cdStart,
    centralDirectorySize: eocd.centralDirectorySize,
    eocdOffset: eocd.offset,
    comment: eocd.comment,
  };
}
