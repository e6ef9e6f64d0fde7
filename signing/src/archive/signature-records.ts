// SPDX-License-Identifier: MIT
// The two headers of the `.signature.p7s` entry, byte for byte as NuGet writes them (spec §2.2).

import { crc32 } from 'node:zlib';
import { CENTRAL_RECORD_MAGIC, CENTRAL_RECORD_SIZE, LOCAL_HEADER_MAGIC, LOCAL_HEADER_SIZE } from './zip-records.js';

/** The signature entry's name: 14 ASCII bytes, matched byte for byte, flag bit 11 clear. */
export const SIGNATURE_NAME = '.signature.p7s';

const NAME_BYTES = new TextEncoder().encode(SIGNATURE_NAME);
const VERSION_20 = 20;

/** Size of the signature's local header (30 + 14). */
export const SIGNATURE_LOCAL_HEADER_SIZE = LOCAL_HEADER_SIZE + NAME_BYTES.length;
/** Size of the signature's central-directory record (46 + 14). */
export const SIGNATURE_CENTRAL_RECORD_SIZE = CENTRAL_RECORD_SIZE + NAME_BYTES.length;

/** MS-DOS time and date fields for `moment` in local time, as NuGet writes `DateTime.Now`. */
function dosDateTime(moment: Date): { time: number; date: number } {
  const year = Math.min(Math.max(moment.getFullYear(), 1980), 2107);
  return {
    time: (moment.getHours() << 11) | (moment.getMinutes() << 5) | (moment.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((moment.getMonth() + 1) << 5) | moment.getDate(),
  };
}

/** Fills the fields local and central headers share (version needed through name length), at `at`. */
function writeCommonFields(data: DataView, at: number, signature: Uint8Array, modified: Date): void {
  const { time, date } = dosDateTime(modified);
  const checksum = crc32(signature);
  data.setUint16(at, VERSION_20, true);
  data.setUint16(at + 2, 0, true); // flags: no encryption, no data descriptor, no UTF-8 name
  data.setUint16(at + 4, 0, true); // stored
  data.setUint16(at + 6, time, true);
  data.setUint16(at + 8, date, true);
  data.setUint32(at + 10, checksum, true);
  data.setUint32(at + 14, signature.length, true);
  data.setUint32(at + 18, signature.length, true);
  data.setUint16(at + 22, NAME_BYTES.length, true);
  data.setUint16(at + 24, 0, true); // extra length
}

/** The 44-byte local header of a `.signature.p7s` entry holding `signature` (its data follows it). */
export function encodeSignatureLocalHeader(signature: Uint8Array, modified: Date): Uint8Array {
  const bytes = new Uint8Array(SIGNATURE_LOCAL_HEADER_SIZE);
  const data = new DataView(bytes.buffer);
  data.setUint32(0, LOCAL_HEADER_MAGIC, true);
  writeCommonFields(data, 4, signature, modified);
  bytes.set(NAME_BYTES, LOCAL_HEADER_SIZE);
  return bytes;
}

/** The 60-byte central-directory record of a `.signature.p7s` entry whose local header is at `localHeaderOffset`. */
export function encodeSignatureCentralRecord(signature: Uint8Array, localHeaderOffset: number, modified: Date): Uint8Array {
  const bytes = new Uint8Array(SIGNATURE_CENTRAL_RECORD_SIZE);
  const data = new DataView(bytes.buffer);
  data.setUint32(0, CENTRAL_RECORD_MAGIC, true);
  data.setUint16(4, VERSION_20, true); // version made by: MS-DOS, 2.0
  writeCommonFields(data, 6, signature, modified);
  // comment length, disk start, internal and external attributes stay 0
  data.setUint32(42, localHeaderOffset, true);
  bytes.set(NAME_BYTES, CENTRAL_RECORD_SIZE);
  return bytes;
}
