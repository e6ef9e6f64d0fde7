// SPDX-License-Identifier: MIT
// CRC32C (Castagnoli), the checksum Cloud KMS uses to protect requests and responses end to end.
// Node has no built-in CRC32C.

const TABLE = Uint32Array.from({ length: 256 }, (_, index) => {
  let crc = index;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  return crc >>> 0;
});

/** The CRC32C of `bytes` as an unsigned 32-bit number (`123456789` gives 0xE3069283). */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** True when an int64 checksum as the SDK returns it (`{ value: '123' }`, a number or a string) equals `expected`. */
export function checksumMatches(received: { readonly value?: unknown } | null | undefined, expected: number): boolean {
  const value = received?.value;
  return (typeof value === 'string' || typeof value === 'number') && Number(value) === expected;
}
