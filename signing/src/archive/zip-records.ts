// SPDX-License-Identifier: MIT
// Little-endian ZIP records as NuGet's byte-level signing code reads them (spec §2, §2.4): the end of
// central directory record, central-directory records and local file headers. Decoding only; no I/O.

import { ReposignError } from '../errors.js';

export const LOCAL_HEADER_MAGIC = 0x04034b50;
export const CENTRAL_RECORD_MAGIC = 0x02014b50;
export const EOCD_MAGIC = 0x06054b50;
export const ZIP64_LOCATOR_MAGIC = 0x07064b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_RECORD_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_LOCATOR_SIZE = 20;
export const MAX_COMMENT_SIZE = 0xffff;

/** General-purpose flag bits that matter here. */
export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_UTF8 = 0x0800;

const ZIP64_EXTRA_ID = 0x0001;
const U16_SENTINEL = 0xffff;
const U32_SENTINEL = 0xffffffff;

/** The fixed part of the end of central directory record, plus where it sits. */
export interface EndOfCentralDirectory {
  readonly offset: number;
  readonly diskNumber: number;
  readonly centralDirectoryDisk: number;
  readonly entriesOnDisk: number;
  readonly totalEntries: number;
  readonly centralDirectorySize: number;
  readonly centralDirectoryOffset: number;
  readonly comment: Uint8Array;
}

/** One central-directory record as stored, with its position. */
export interface CentralRecord {
  readonly position: number;
  readonly size: number;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly diskStart: number;
  readonly externalAttributes: number;
  readonly localHeaderOffset: number;
  readonly rawName: Uint8Array;
  readonly extra: Uint8Array;
}

/** The fields of a local file header this layer compares or needs to find the entry data. */
export interface LocalHeader {
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly rawName: Uint8Array;
  readonly extra: Uint8Array;
  /** 30 + name length + extra length: where the entry data starts, relative to the header. */
  readonly headerSize: number;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function zip64Error(detail: string): ReposignError {
  return new ReposignError('ARCHIVE_ZIP64', `Zip64 archives cannot be signed: ${detail}.`, { nugetCode: 'NU3006' });
}

function startsLikeZip(head: Uint8Array): boolean {
  const magic = [0x50, 0x4b, 0x03, 0x04];
  return head.length > 0 && head.every((byte, i) => i >= magic.length || byte === magic[i]);
}

const EOCD_MAGIC_BYTES = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

/** Every offset of the EOCD signature in `bytes`, last first (a native search: the tail is up to 64 KiB). */
function eocdMagicOffsets(bytes: Uint8Array): number[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  for (let at = buffer.lastIndexOf(EOCD_MAGIC_BYTES); at >= 0; at = at === 0 ? -1 : buffer.lastIndexOf(EOCD_MAGIC_BYTES, at - 1)) offsets.push(at);
  return offsets;
}

/**
 * Finds and decodes the EOCD in `tail`, the last bytes of a file of `fileSize` bytes (at most
 * 22 + 65535 of them, so every legal EOCD is inside), and `head`, its first bytes. Scans backwards
 * like NuGet's `EndOfCentralDirectoryRecord.Read`; the record found must end exactly at the end of the
 * file, and no other EOCD signature may sit in the comment. Throws ARCHIVE_NOT_ZIP, ARCHIVE_TRUNCATED,
 * ARCHIVE_EOCD_IN_COMMENT, ARCHIVE_BAD_RECORD, ARCHIVE_ZIP64 or ARCHIVE_MULTI_DISK.
 */
export function decodeEndOfCentralDirectory(tail: Uint8Array, head: Uint8Array, fileSize: number): EndOfCentralDirectory {
  const tailStart = fileSize - tail.length;
  const candidates = eocdMagicOffsets(tail);
  const complete = candidates.filter((at) => at + EOCD_SIZE <= tail.length);
  if (complete.length === 0) {
    if (startsLikeZip(head)) throw new ReposignError('ARCHIVE_TRUNCATED', 'The archive ends before its end of central directory record.');
    throw new ReposignError('ARCHIVE_NOT_ZIP', 'The file is not a ZIP archive (no end of central directory record).');
  }
  const fits = (at: number): boolean => at + EOCD_SIZE + view(tail).getUint16(at + 20, true) === tail.length;
  const found = complete[0];
  // NuGet takes the LAST signature it meets. Any other signature that also fits the end of the file
  // means one of them sits in the other's comment: a decoy record that readers would disagree about.
  if (!fits(found) || candidates[0] !== found || complete.slice(1).some(fits)) {
    if (complete.some(fits)) {
      throw new ReposignError('ARCHIVE_EOCD_IN_COMMENT', 'The archive comment contains an end of central directory signature.');
    }
    const commentEnd = found + EOCD_SIZE + view(tail).getUint16(found + 20, true);
    if (commentEnd > tail.length) throw new ReposignError('ARCHIVE_TRUNCATED', 'The archive comment runs past the end of the file.');
    throw new ReposignError('ARCHIVE_BAD_RECORD', 'Bytes follow the end of central directory record.');
  }
  const data = view(tail);
  const offset = tailStart + found;
  if (found >= ZIP64_LOCATOR_SIZE && data.getUint32(found - ZIP64_LOCATOR_SIZE, true) === ZIP64_LOCATOR_MAGIC) {
    throw zip64Error('a Zip64 end of central directory locator precedes the EOCD');
  }
  const eocd: EndOfCentralDirectory = {
    offset,
    diskNumber: data.getUint16(found + 4, true),
    centralDirectoryDisk: data.getUint16(found + 6, true),
    entriesOnDisk: data.getUint16(found + 8, true),
    totalEntries: data.getUint16(found + 10, true),
    centralDirectorySize: data.getUint32(found + 12, true),
    centralDirectoryOffset: data.getUint32(found + 16, true),
    comment: tail.slice(found + EOCD_SIZE),
  };
  if (
    eocd.diskNumber === U16_SENTINEL ||
    eocd.centralDirectoryDisk === U16_SENTINEL ||
    eocd.entriesOnDisk === U16_SENTINEL ||
    eocd.totalEntries === U16_SENTINEL ||
    eocd.centralDirectorySize === U32_SENTINEL ||
    eocd.centralDirectoryOffset === U32_SENTINEL
  ) {
    throw zip64Error('the EOCD holds a Zip64 sentinel value');
  }
  if (eocd.diskNumber !== 0 || eocd.centralDirectoryDisk !== 0) {
    throw new ReposignError('ARCHIVE_MULTI_DISK', 'Multi-disk (spanned) archives are not supported.');
  }
  if (eocd.entriesOnDisk !== eocd.totalEntries) {
    throw new ReposignError('ARCHIVE_BAD_RECORD', 'The EOCD entry counts for this disk and in total differ.');
  }
  return eocd;
}

/** True when an extra field holds a Zip64 extended-information block (header id 0x0001). */
function hasZip64Extra(extra: Uint8Array): boolean {
  const data = view(extra);
  for (let at = 0; at + 4 <= extra.length; at += 4 + data.getUint16(at + 2, true)) {
    if (data.getUint16(at, true) === ZIP64_EXTRA_ID) return true;
  }
  return false;
}

/**
 * Decodes `count` central-directory records that must fill `directory` (the bytes from the CD offset
 * up to the EOCD) exactly, as NuGet reads them one after another. Throws ARCHIVE_BAD_RECORD when a
 * record is missing, cut off or followed by anything, ARCHIVE_ZIP64 for Zip64 sentinels or extra
 * fields, and ARCHIVE_MULTI_DISK for a non-zero start disk.
 */
export function decodeCentralDirectory(directory: Uint8Array, directoryOffset: number, count: number): CentralRecord[] {
  const data = view(directory);
  const records: CentralRecord[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + CENTRAL_RECORD_SIZE > directory.length || data.getUint32(at, true) !== CENTRAL_RECORD_MAGIC) {
      throw new ReposignError('ARCHIVE_BAD_RECORD', `Central-directory record ${index} is missing or malformed.`);
    }
    const nameLength = data.getUint16(at + 28, true);
    const extraLength = data.getUint16(at + 30, true);
    const commentLength = data.getUint16(at + 32, true);
    const size = CENTRAL_RECORD_SIZE + nameLength + extraLength + commentLength;
    if (at + size > directory.length) {
      throw new ReposignError('ARCHIVE_BAD_RECORD', `Central-directory record ${index} runs into the EOCD.`);
    }
    const nameStart = at + CENTRAL_RECORD_SIZE;
    const record: CentralRecord = {
      position: directoryOffset + at,
      size,
      flags: data.getUint16(at + 8, true),
      method: data.getUint16(at + 10, true),
      crc32: data.getUint32(at + 16, true),
      compressedSize: data.getUint32(at + 20, true),
      uncompressedSize: data.getUint32(at + 24, true),
      diskStart: data.getUint16(at + 34, true),
      externalAttributes: data.getUint32(at + 38, true),
      localHeaderOffset: data.getUint32(at + 42, true),
      rawName: directory.slice(nameStart, nameStart + nameLength),
      extra: directory.subarray(nameStart + nameLength, nameStart + nameLength + extraLength),
    };
    if (
      record.compressedSize === U32_SENTINEL ||
      record.uncompressedSize === U32_SENTINEL ||
      record.localHeaderOffset === U32_SENTINEL ||
      record.diskStart === U16_SENTINEL
    ) {
      throw zip64Error(`central-directory record ${index} holds a Zip64 sentinel value`);
    }
    if (hasZip64Extra(record.extra)) throw zip64Error(`central-directory record ${index} has a Zip64 extra field`);
    if (record.diskStart !== 0) throw new ReposignError('ARCHIVE_MULTI_DISK', `Entry ${index} starts on another disk.`);
    records.push(record);
    at += size;
  }
  if (at !== directory.length) {
    throw new ReposignError('ARCHIVE_BAD_RECORD', 'The central directory does not end where the EOCD starts (wrong entry count or junk).');
  }
  return records;
}

/**
 * Decodes the local file header at the start of `bytes` (which must hold at least the fixed 30
 * bytes; name and extra are decoded when present). Returns undefined when the magic is wrong.
 * Throws ARCHIVE_ZIP64 for a Zip64 extra field.
 */
export function decodeLocalHeader(bytes: Uint8Array): LocalHeader | undefined {
  const data = view(bytes);
  if (bytes.length < LOCAL_HEADER_SIZE || data.getUint32(0, true) !== LOCAL_HEADER_MAGIC) return undefined;
  const nameLength = data.getUint16(26, true);
  const extraLength = data.getUint16(28, true);
  const header: LocalHeader = {
    flags: data.getUint16(6, true),
    method: data.getUint16(8, true),
    compressedSize: data.getUint32(18, true),
    uncompressedSize: data.getUint32(22, true),
    rawName: bytes.subarray(LOCAL_HEADER_SIZE, LOCAL_HEADER_SIZE + nameLength),
    extra: bytes.subarray(LOCAL_HEADER_SIZE + nameLength, LOCAL_HEADER_SIZE + nameLength + extraLength),
    headerSize: LOCAL_HEADER_SIZE + nameLength + extraLength,
  };
  if (hasZip64Extra(header.extra)) throw zip64Error('a local header has a Zip64 extra field');
  return header;
}

/** The length of the variable part (name + extra) of the local header whose fixed part is `fixed`. */
export function localHeaderVariableLength(fixed: Uint8Array): number {
  const data = view(fixed);
  return data.getUint16(26, true) + data.getUint16(28, true);
}

/** Encodes the 22-byte EOCD with `eocd`'s counts, size and offset, followed by its comment. */
export function encodeEndOfCentralDirectory(eocd: Omit<EndOfCentralDirectory, 'offset'>): Uint8Array {
  const bytes = new Uint8Array(EOCD_SIZE + eocd.comment.length);
  const data = view(bytes);
  data.setUint32(0, EOCD_MAGIC, true);
  data.setUint16(4, eocd.diskNumber, true);
  data.setUint16(6, eocd.centralDirectoryDisk, true);
  data.setUint16(8, eocd.entriesOnDisk, true);
  data.setUint16(10, eocd.totalEntries, true);
  data.setUint32(12, eocd.centralDirectorySize, true);
  data.setUint32(16, eocd.centralDirectoryOffset, true);
  data.setUint16(20, eocd.comment.length, true);
  bytes.set(eocd.comment, EOCD_SIZE);
  return bytes;
}

/** Writes `value` as a little-endian u32 into four new bytes. */
export function u32le(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  view(bytes).setUint32(0, value >>> 0, true);
  return bytes;
}
