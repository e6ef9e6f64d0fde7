// SPDX-License-Identifier: MIT
// Test-only ZIP tooling: a writer (stored and deflate entries, comments, data descriptors, extra fields,
// UTF-8 names, switches for each malformed archive the archive layer must refuse) and a model of
// NuGet's verifier hash to cross-check the archive layer against.

import { createHash } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';

/** One entry to write. Every override exists to build a specific malformed archive. */
export interface ZipBuilderEntry {
  name: string;
  data?: Uint8Array | string;
  /** 0 stored, 8 deflate; anything else needs `compressed`. */
  method?: number;
  /** Raw compressed bytes to store instead of compressing `data` (crafted deflate streams). */
  compressed?: Uint8Array;
  utf8?: boolean;
  dataDescriptor?: boolean;
  flags?: number;
  localFlags?: number;
  localName?: string;
  localMethod?: number;
  localExtra?: Uint8Array;
  centralExtra?: Uint8Array;
  comment?: string;
  externalAttributes?: number;
  crc32?: number;
  compressedSize?: number;
  uncompressedSize?: number;
  localCompressedSize?: number;
  localUncompressedSize?: number;
  /** Writes no local data; the CD record points at the local header of entry number `sharesLocalWith`. */
  sharesLocalWith?: number;
  localHeaderOffset?: number;
  diskStart?: number;
}

/** Archive-level options and corruptions. */
export interface ZipBuilderOptions {
  comment?: Uint8Array | string;
  /** Bytes before the first local header (a self-extractor stub). */
  prefix?: Uint8Array;
  /** Bytes between the last local entry and the central directory. */
  gapBeforeCentralDirectory?: Uint8Array;
  /** Bytes between the central directory and the EOCD. */
  junkBeforeEocd?: Uint8Array;
  zip64Locator?: boolean;
  entriesOnDisk?: number;
  totalEntries?: number;
  centralDirectorySize?: number;
  centralDirectoryOffset?: number;
  diskNumber?: number;
  centralDirectoryDisk?: number;
  /** Central-directory order as indexes into the entries (default: entry order). */
  centralOrder?: readonly number[];
}

/** An entry's position in a built archive. */
export interface BuiltEntry {
  readonly localHeaderOffset: number;
  readonly centralDirectoryOffset: number;
}

/** A built archive and where its parts landed. */
export interface BuiltZip {
  readonly bytes: Uint8Array;
  readonly entries: readonly BuiltEntry[];
  readonly centralDirectoryOffset: number;
  readonly eocdOffset: number;
}

/** The Zip64 extended-information extra field (id 0x0001) with one 8-byte size. */
export const ZIP64_EXTRA = Uint8Array.from([0x01, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);

const encoder = new TextEncoder();
const bytesOf = (value: Uint8Array | string | undefined): Uint8Array =>
  value === undefined ? new Uint8Array(0) : typeof value === 'string' ? encoder.encode(value) : value;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

class Writer {
  private readonly bytes: Uint8Array;
  private readonly data: DataView;
  private at = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.data = new DataView(this.bytes.buffer);
  }
  u16(value: number): this {
    this.data.setUint16(this.at, value, true);
    this.at += 2;
    return this;
  }
  u32(value: number): this {
    this.data.setUint32(this.at, value >>> 0, true);
    this.at += 4;
    return this;
  }
  raw(value: Uint8Array): this {
    this.bytes.set(value, this.at);
    this.at += value.length;
    return this;
  }
  done(): Uint8Array {
    return this.bytes;
  }
}

const DOS_TIME = (12 << 11) | (30 << 5);
const DOS_DATE = ((2024 - 1980) << 9) | (5 << 5) | 17;

/** An entry as its central record describes it. */
interface EntryRecord {
  readonly entry: ZipBuilderEntry;
  readonly name: Uint8Array;
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly csize: number;
  readonly usize: number;
  readonly offset: number;
}

/** The record of `entry`, whose local header would start at `position`, and its stored bytes. */
function entryRecord(entry: ZipBuilderEntry, position: number): { record: EntryRecord; content: Uint8Array; compressed: Uint8Array } {
  const content = bytesOf(entry.data);
  const method = entry.method ?? 0;
  const compressed = entry.compressed ?? (method === 8 ? deflateRawSync(content) : content);
  const record = {
    entry,
    name: encoder.encode(entry.name),
    flags: entry.flags ?? ((entry.utf8 === true ? 0x0800 : 0) | (entry.dataDescriptor === true ? 0x0008 : 0)),
    method,
    crc: entry.crc32 ?? crc32(content),
    csize: entry.compressedSize ?? compressed.length,
    usize: entry.uncompressedSize ?? content.length,
    offset: entry.localHeaderOffset ?? position,
  };
  return { record, content, compressed };
}

/** The local header, data and data descriptor of an entry. */
function localParts({ record, content, compressed }: ReturnType<typeof entryRecord>): Uint8Array[] {
  const { entry } = record;
  const localName = entry.localName === undefined ? record.name : encoder.encode(entry.localName);
  const localExtra = entry.localExtra ?? new Uint8Array(0);
  const descriptor = entry.dataDescriptor === true;
  const header = new Writer(30 + localName.length + localExtra.length)
    .u32(0x04034b50)
    .u16(20)
    .u16(entry.localFlags ?? record.flags)
    .u16(entry.localMethod ?? record.method)
    .u16(DOS_TIME)
    .u16(DOS_DATE)
    .u32(descriptor ? 0 : record.crc)
    .u32(entry.localCompressedSize ?? (descriptor ? 0 : compressed.length))
    .u32(entry.localUncompressedSize ?? (descriptor ? 0 : content.length))
    .u16(localName.length)
    .u16(localExtra.length)
    .raw(localName)
    .raw(localExtra)
    .done();
  if (!descriptor) return [header, compressed];
  return [header, compressed, new Writer(16).u32(0x08074b50).u32(record.crc).u32(compressed.length).u32(content.length).done()];
}

function centralRecord(record: EntryRecord): Uint8Array {
  const extra = record.entry.centralExtra ?? new Uint8Array(0);
  const comment = bytesOf(record.entry.comment);
  return new Writer(46 + record.name.length + extra.length + comment.length)
    .u32(0x02014b50)
    .u16(20)
    .u16(20)
    .u16(record.flags)
    .u16(record.method)
    .u16(DOS_TIME)
    .u16(DOS_DATE)
    .u32(record.crc)
    .u32(record.csize)
    .u32(record.usize)
    .u16(record.name.length)
    .u16(extra.length)
    .u16(comment.length)
    .u16(record.entry.diskStart ?? 0)
    .u16(0)
    .u32(record.entry.externalAttributes ?? 0)
    .u32(record.offset)
    .raw(record.name)
    .raw(extra)
    .raw(comment)
    .done();
}

function endOfCentralDirectory(options: ZipBuilderOptions, count: number, centralDirectorySize: number, centralDirectoryOffset: number): Uint8Array {
  const comment = bytesOf(options.comment);
  return new Writer(22 + comment.length)
    .u32(0x06054b50)
    .u16(options.diskNumber ?? 0)
    .u16(options.centralDirectoryDisk ?? 0)
    .u16(options.entriesOnDisk ?? options.totalEntries ?? count)
    .u16(options.totalEntries ?? count)
    .u32(options.centralDirectorySize ?? centralDirectorySize)
    .u32(options.centralDirectoryOffset ?? centralDirectoryOffset)
    .u16(comment.length)
    .raw(comment)
    .done();
}

/** Builds a ZIP archive in memory. Without overrides the result is a valid, non-Zip64 archive. */
export function buildZip(entries: readonly ZipBuilderEntry[], options: ZipBuilderOptions = {}): BuiltZip {
  const parts: Uint8Array[] = [];
  let position = 0;
  const push = (part: Uint8Array): void => {
    parts.push(part);
    position += part.length;
  };
  push(options.prefix ?? new Uint8Array(0));

  const records: EntryRecord[] = [];
  for (const entry of entries) {
    const built = entryRecord(entry, position);
    if (entry.sharesLocalWith !== undefined) {
      records.push({ ...built.record, offset: records[entry.sharesLocalWith]?.offset ?? 0 });
      continue;
    }
    for (const part of localParts(built)) push(part);
    records.push(built.record);
  }
  push(options.gapBeforeCentralDirectory ?? new Uint8Array(0));

  const centralDirectoryOffset = position;
  const centralPositions = new Map<number, number>();
  for (const index of options.centralOrder ?? records.map((_, i) => i)) {
    const record = records[index];
    if (record === undefined) throw new Error(`no entry ${index}`);
    centralPositions.set(index, position);
    push(centralRecord(record));
  }
  const centralDirectorySize = position - centralDirectoryOffset;
  push(options.junkBeforeEocd ?? new Uint8Array(0));
  if (options.zip64Locator === true) {
    push(new Writer(20).u32(0x07064b50).u32(0).u32(0).u32(0).u32(1).done());
  }
  const eocdOffset = position;
  push(endOfCentralDirectory(options, options.centralOrder?.length ?? records.length, centralDirectorySize, centralDirectoryOffset));
  return {
    bytes: concat(parts),
    entries: records.map((record, index) => ({ localHeaderOffset: record.offset, centralDirectoryOffset: centralPositions.get(index) ?? -1 })),
    centralDirectoryOffset,
    eocdOffset,
  };
}

/** A minimal valid package: a root nuspec plus a few files, with deterministic content. */
export function samplePackageEntries(id = 'Sample.Package', version = '1.2.3'): ZipBuilderEntry[] {
  const nuspec =
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">\n' +
    `  <metadata>\n    <id>${id}</id>\n    <version>${version}</version>\n    <authors>Reposign Tests</authors>\n` +
    '    <description>test package</description>\n  </metadata>\n</package>\n';
  return [
    { name: '_rels/.rels', data: '<Relationships/>', method: 8 },
    { name: `${id}.nuspec`, data: nuspec, method: 8 },
    { name: 'lib/net8.0/Sample.dll', data: new Uint8Array(4000).map((_, i) => (i * 7) % 251), method: 8 },
    { name: 'readme.md', data: 'hello from a stored entry' },
    { name: '[Content_Types].xml', data: '<Types/>', method: 8 },
  ];
}

/**
 * A literal, in-memory model of NuGet's verifier hash (spec §3.2 steps 1-8), written independently
 * of the archive layer so tests can cross-check it. Throws when there is not exactly one signature.
 */
export function verifierPackageHash(bytes: Uint8Array, hash: 'SHA256' | 'SHA384' | 'SHA512'): Uint8Array {
  const z = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = z.length - 4;
  while (eocd >= 0 && z.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const records: { pos: number; localOff: number; size: number; name: string; flags: number }[] = [];
  for (let pos = z.readUInt32LE(eocd + 16); z.readUInt32LE(pos) === 0x02014b50; ) {
    const size = 46 + z.readUInt16LE(pos + 28) + z.readUInt16LE(pos + 30) + z.readUInt16LE(pos + 32);
    const name = z.subarray(pos + 46, pos + 46 + z.readUInt16LE(pos + 28)).toString('latin1');
    records.push({ pos, localOff: z.readUInt32LE(pos + 42), size, name, flags: z.readUInt16LE(pos + 8) });
    pos += size;
  }
  const signatures = records.filter((r) => r.name === '.signature.p7s' && (r.flags & 0x0800) === 0);
  const sig = signatures[0];
  if (sig === undefined || signatures.length !== 1) throw new Error('NU3005: not exactly one signature entry');
  const firstLocal = Math.min(...records.map((r) => r.localOff));
  const cdFirst = Math.min(...records.map((r) => r.pos));
  const offsets = records.map((r) => r.localOff).sort((a, b) => a - b);
  const span = (r: { localOff: number }): number => (offsets.find((o) => o > r.localOff) ?? cdFirst) - r.localOff;
  const kept = records.filter((r) => r !== sig).sort((a, b) => a.localOff - b.localOff);
  const delta = new Map<object, number>();
  let runEnd = 0;
  for (const r of kept) {
    delta.set(r, runEnd - r.localOff);
    runEnd = r.localOff + span(r) + (delta.get(r) ?? 0);
  }
  const h = createHash(hash.replace('SHA', 'sha'));
  const u16 = (v: number): Buffer => Buffer.from([v & 0xff, (v >> 8) & 0xff]);
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(((v % 2 ** 32) + 2 ** 32) % 2 ** 32);
    return b;
  };
  h.update(z.subarray(0, firstLocal));
  for (const r of kept) h.update(z.subarray(r.localOff, r.localOff + span(r)));
  for (const r of [...kept].sort((a, b) => a.pos - b.pos)) {
    h.update(z.subarray(r.pos, r.pos + 42));
    h.update(u32(r.localOff + (delta.get(r) ?? 0)));
    h.update(z.subarray(r.pos + 46, r.pos + r.size));
  }
  const last = records.reduce((a, b) => (b.pos > a.pos ? b : a));
  const e = last.pos + last.size;
  h.update(z.subarray(e, e + 8));
  h.update(u16(z.readUInt16LE(e + 8) - 1));
  h.update(u16(z.readUInt16LE(e + 10) - 1));
  h.update(u32(z.readUInt32LE(e + 12) - sig.size));
  h.update(u32(z.readUInt32LE(e + 16) - span(sig)));
  h.update(z.subarray(e + 20));
  return new Uint8Array(h.digest());
}
