// SPDX-License-Identifier: MIT
// A minimal DER writer and TLV reader. NuGet signatures must be byte-exact and the author's bytes
// must survive a countersignature untouched, so CMS code works on raw TLVs rather than on a
// decode/re-encode object model.

import { ReposignError } from '../errors.js';

/** One DER element located inside a buffer. */
export interface Tlv {
  /** The identifier octet (single-byte tags only; NuGet's structures never use high tag numbers). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the last content octet (before the end-of-contents octets of an indefinite length). */
  readonly contentEnd: number;
  /** Offset just past the whole element. */
  readonly end: number;
  /** The buffer the offsets refer to. */
  readonly source: Uint8Array;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function malformed(message: string): ReposignError {
  return new ReposignError('SIGNATURE_MALFORMED', `Malformed DER: ${message}.`, { nugetCode: 'NU3003' });
}

const MAX_DEPTH = 64;

/**
 * Reads the element at `offset`. DER and the BER that older NuGet.org signatures use (indefinite
 * lengths, constructed strings) are both accepted. Throws SIGNATURE_MALFORMED when it does not fit in `limit`.
 */
export function readTlv(source: Uint8Array, offset = 0, limit = source.length, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw malformed('nesting too deep');
  if (offset + 2 > limit) throw malformed('element header past the end');
  const tag = source[offset];
  if ((tag & 0x1f) === 0x1f) throw malformed('high tag numbers are not supported');
  let cursor = offset + 1;
  const first = source[cursor++];
  let length: number;
  if (first === 0x80) {
    if ((tag & 0x20) === 0) throw malformed('indefinite length on a primitive element');
    let inner = cursor;
    while (true) {
      if (inner + 2 > limit) throw malformed('indefinite length without end-of-contents');
      if (source[inner] === 0 && source[inner + 1] === 0) break;
      inner = readTlv(source, inner, limit, depth + 1).end;
    }
    return { tag, start: offset, contentStart: cursor, contentEnd: inner, end: inner + 2, source };
  }
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count > 4) throw malformed('unsupported length form');
    if (cursor + count > limit) throw malformed('length past the end');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + source[cursor++];
  }
  const end = cursor + length;
  if (end > limit) throw malformed('content past the end');
  return { tag, start: offset, contentStart: cursor, contentEnd: end, end, source };
}

/** Reads the element at `offset` and checks its tag. */
export function expectTlv(source: Uint8Array, offset: number, tag: number, what: string, limit = source.length): Tlv {
  const tlv = readTlv(source, offset, limit);
  if (tlv.tag !== tag) throw malformed(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/** The direct children of a constructed element. */
export function children(parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.contentEnd) {
    const child = readTlv(parent.source, offset, parent.contentEnd);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The whole element (identifier, length and content). */
export function tlvBytes(tlv: Tlv): Uint8Array {
  return tlv.source.subarray(tlv.start, tlv.end);
}

/** The content octets only. */
export function tlvContent(tlv: Tlv): Uint8Array {
  return tlv.source.subarray(tlv.contentStart, tlv.contentEnd);
}

/** The octets of an OCTET STRING, joining the segments of a BER constructed one. */
export function octetStringValue(tlv: Tlv): Uint8Array {
  if (tlv.tag === TAG.OCTET_STRING) return tlvContent(tlv);
  if (tlv.tag === (TAG.OCTET_STRING | 0x20)) return concat(children(tlv).map(octetStringValue));
  throw malformed('expected an OCTET STRING');
}

/** Octets of the DER length field for `length` (short form below 128). */
function lengthOctets(length: number): number {
  if (length < 0x80) return 1;
  let octets = 1;
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets++;
  return octets;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** An element with the given identifier octet around already-encoded content, in one allocation. */
export function element(tag: number, ...content: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of content) length += part.length;
  const header = 1 + lengthOctets(length);
  const out = Buffer.allocUnsafe(header + length);
  out[0] = tag;
  if (length < 0x80) {
    out[1] = length;
  } else {
    out[1] = 0x80 | (header - 2);
    for (let at = header - 1, rest = length; at >= 2; at--, rest = Math.floor(rest / 256)) out[at] = rest & 0xff;
  }
  let at = header;
  for (const part of content) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const sequence = (...items: readonly Uint8Array[]): Uint8Array => element(TAG.SEQUENCE, ...items);

/** A DER SET OF: elements sorted by their encodings, as X.690 §11.6 requires. */
export function setOf(items: readonly Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return element(TAG.SET, ...sorted);
}

/** `[n] EXPLICIT` (constructed context tag). */
export const explicit = (n: number, ...content: readonly Uint8Array[]): Uint8Array => element(0xa0 | n, ...content);

export const octetString = (bytes: Uint8Array): Uint8Array => element(TAG.OCTET_STRING, bytes);
export const nullValue = (): Uint8Array => Uint8Array.of(TAG.NULL, 0);
export const ia5String = (text: string): Uint8Array => element(TAG.IA5_STRING, Buffer.from(text, 'ascii'));
export const utf8String = (text: string): Uint8Array => element(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
export const booleanValue = (value: boolean): Uint8Array => Uint8Array.of(TAG.BOOLEAN, 1, value ? 0xff : 0);

/** An INTEGER from a small non-negative number. */
export function integer(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return element(TAG.INTEGER, Uint8Array.from(bytes));
}

/** An INTEGER from unsigned big-endian magnitude bytes (leading zeros trimmed, a 00 added when the top bit is set). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const body = trimmed[0] & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed;
  return element(TAG.INTEGER, body);
}

const encodedOids = new Map<string, Uint8Array>();

/** An OBJECT IDENTIFIER from dotted notation. Encodings are kept: a signature writes the same few OIDs each time. */
export function oid(dotted: string): Uint8Array {
  let encoded = encodedOids.get(dotted);
  if (!encoded) {
    const arcs = dotted.split('.').map((arc) => BigInt(arc));
    if (arcs.length < 2) throw new ReposignError('INVALID_ARGUMENT', `Bad OID '${dotted}'.`);
    const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
    const bytes: number[] = [];
    for (const value of values) {
      const chunk: number[] = [Number(value & 0x7fn)];
      for (let rest = value >> 7n; rest > 0n; rest >>= 7n) chunk.unshift(Number(rest & 0x7fn) | 0x80);
      bytes.push(...chunk);
    }
    encoded = element(TAG.OID, Uint8Array.from(bytes));
    if (encodedOids.size < 256) encodedOids.set(dotted, encoded);
  }
  // A copy: callers own what they get.
  return Buffer.from(encoded);
}

/** Dotted notation of an OBJECT IDENTIFIER element. */
export function readOid(tlv: Tlv): string {
  if (tlv.tag !== TAG.OID) throw malformed('expected an OBJECT IDENTIFIER');
  const content = tlvContent(tlv);
  const values: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      values.push(value);
      value = 0n;
    }
  }
  if (values.length === 0) throw malformed('empty OBJECT IDENTIFIER');
  const first = values[0];
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...values.slice(1)].join('.');
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), whole seconds, Zulu. */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return element(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`, 'ascii'));
  return element(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'ascii'));
}

/** Reads a UTCTime or GeneralizedTime (the forms NuGet and OpenSSL write). */
export function readTime(tlv: Tlv): Date {
  const text = Buffer.from(tlvContent(tlv)).toString('ascii');
  const utc = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (tlv.tag === TAG.UTC_TIME && utc) {
    const yy = Number(utc[1]);
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return new Date(Date.UTC(year, Number(utc[2]) - 1, Number(utc[3]), Number(utc[4]), Number(utc[5]), Number(utc[6])));
  }
  const generalized = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(text);
  if (tlv.tag === TAG.GENERALIZED_TIME && generalized) {
    const fraction = generalized[7] ? Number(`0.${generalized[7]}`) * 1000 : 0;
    return new Date(
      Date.UTC(
        Number(generalized[1]),
        Number(generalized[2]) - 1,
        Number(generalized[3]),
        Number(generalized[4]),
        Number(generalized[5]),
        Number(generalized[6]),
      ) + Math.round(fraction),
    );
  }
  throw malformed(`unsupported time '${text}'`);
}

/** Re-tags an element: used for IMPLICIT tagging ([0] IMPLICIT SET OF -> A0, and back to 31 for hashing). */
export function retag(encoded: Uint8Array, tag: number): Uint8Array {
  const copy = Uint8Array.from(encoded);
  copy[0] = tag;
  return copy;
}
