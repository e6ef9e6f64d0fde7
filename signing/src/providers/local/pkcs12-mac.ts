// SPDX-License-Identifier: MIT
// The PKCS#12 MAC (RFC 7292 §4, Appendix B): computing it when writing a PFX, checking it when
// reading one. node-forge checks the MAC with the password taken one way and decrypts PBES2 bags
// with it taken another, so non-ASCII passwords need the MAC done here.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { children, expectTlv, octetStringValue, readOid, readTlv, TAG, tlvContent } from '../../cms/der.js';

const DIGESTS: Readonly<Record<string, { name: string; blockSize: number }>> = {
  '1.3.14.3.2.26': { name: 'sha1', blockSize: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', blockSize: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', blockSize: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', blockSize: 128 },
};

/** The password as PKCS#12 hashes it: a BMPString with a two-byte terminator, or nothing at all for .NET's null password. */
function bmpPassword(password: string | null): Buffer {
  if (password === null) return Buffer.alloc(0);
  const bytes = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) bytes.writeUInt16BE(password.charCodeAt(i), i * 2);
  return bytes;
}

function repeatTo(source: Uint8Array, blockSize: number): Buffer {
  if (source.length === 0) return Buffer.alloc(0);
  const length = blockSize * Math.ceil(source.length / blockSize);
  return Buffer.from(Array.from({ length }, (_, i) => source[i % source.length]));
}

/** RFC 7292 B.2 with ID 3 (MAC key), producing one hash-length block: all an HMAC key needs. */
export function pkcs12MacKey(digest: string, blockSize: number, password: string | null, salt: Uint8Array, iterations: number): Buffer {
  let value = Buffer.concat([Buffer.alloc(blockSize, 3), repeatTo(salt, blockSize), repeatTo(bmpPassword(password), blockSize)]);
  for (let round = 0; round < iterations; round++) value = createHash(digest).update(value).digest();
  return value;
}

/** HMAC-SHA256 of `authenticatedSafe` keyed from `password`, as a new PFX's MacData carries it. */
export function pkcs12Mac(authenticatedSafe: Uint8Array, password: string, salt: Uint8Array, iterations: number): Buffer {
  return createHmac('sha256', pkcs12MacKey('sha256', 64, password, salt, iterations)).update(authenticatedSafe).digest();
}

/**
 * Checks the MAC of DER PFX bytes with `password` (and, for an empty password, also the null
 * password .NET's X509Store files use). Returns 'absent' when the PFX has no MacData, 'unsupported'
 * for a MAC digest not listed here, and otherwise whether it matched.
 */
export function checkPfxMac(pfx: Uint8Array, password: string): 'valid' | 'invalid' | 'absent' | 'unsupported' {
  const parts = children(expectTlv(pfx, 0, TAG.SEQUENCE, 'PFX'));
  const [, authSafe, macData] = parts;
  if (!authSafe || !macData) return 'absent';
  const [, wrapper] = children(authSafe);
  const content = octetStringValue(readTlv(wrapper.source, wrapper.contentStart, wrapper.contentEnd));
  const [digestInfo, saltTlv, iterationsTlv] = children(macData);
  const [algorithm, macTlv] = children(digestInfo);
  const digest = DIGESTS[readOid(children(algorithm)[0])];
  if (!digest) return 'unsupported';
  const iterations = iterationsTlv ? tlvContent(iterationsTlv).reduce((value, byte) => value * 256 + byte, 0) : 1;
  const expected = tlvContent(macTlv);
  const candidates = password === '' ? ['', null] : [password];
  for (const candidate of candidates) {
    const key = pkcs12MacKey(digest.name, digest.blockSize, candidate, tlvContent(saltTlv), iterations);
    const actual = createHmac(digest.name, key).update(content).digest();
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return 'valid';
  }
  return 'invalid';
}
