// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isReposignError } from '../../../src/errors.js';
import { decodeSignatureContent, encodeSignatureContent } from '../../../src/cms/signature-content.js';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const HASH32 = Uint8Array.from({ length: 32 }, (_, i) => i * 8);
const B64_32 = Buffer.from(HASH32).toString('base64');

describe('encodeSignatureContent', () => {
  for (const [name, oid, length] of [
    ['SHA256', '2.16.840.1.101.3.4.2.1', 32],
    ['SHA384', '2.16.840.1.101.3.4.2.2', 48],
    ['SHA512', '2.16.840.1.101.3.4.2.3', 64],
  ] as const) {
    test(`${name}: exact bytes, no BOM, LF line ends and a trailing blank line`, () => {
      const hash = Uint8Array.from({ length }, (_, i) => 255 - i);
      const encoded = encodeSignatureContent(name, hash);
      const expected = Buffer.concat([
        Buffer.from('Version:1', 'ascii'),
        Buffer.of(0x0a, 0x0a),
        Buffer.from(`${oid}-Hash:${Buffer.from(hash).toString('base64')}`, 'ascii'),
        Buffer.of(0x0a, 0x0a),
      ]);
      assert.deepEqual(Buffer.from(encoded), expected);
      assert.equal(encoded[0], 0x56, 'starts with V, not a BOM');
      assert.ok(!Buffer.from(encoded).includes(0x0d), 'no CR');
      assert.ok(!Buffer.from(encoded).includes(0x20), 'no spaces');
      const decoded = decodeSignatureContent(encoded);
      assert.equal(decoded.hashAlgorithm.name, name);
      assert.deepEqual(Buffer.from(decoded.packageHash), Buffer.from(hash));
    });
  }
});

describe('decodeSignatureContent', () => {
  test('accepts NuGet form with extra keys in both sections and ignores sections after the second', () => {
    const text = `Version:1\nOther:x\n\nSome-Key:value:with:colons\n${SHA256_OID}-Hash:${B64_32}\n\nThird:section\n\n`;
    const decoded = decodeSignatureContent(Buffer.from(text));
    assert.equal(decoded.hashAlgorithm.oid, SHA256_OID);
    assert.deepEqual(Buffer.from(decoded.packageHash), Buffer.from(HASH32));
  });

  test('skips a hash key with an unknown OID when an allowed one follows', () => {
    const text = `Version:1\n\n1.3.14.3.2.26-Hash:AAAA\n${SHA256_OID}-Hash:${B64_32}\n\n`;
    assert.equal(decodeSignatureContent(Buffer.from(text)).hashAlgorithm.name, 'SHA256');
  });

  const rejected: readonly [string, string, string][] = [
    ['the trailing blank line missing', `Version:1\n\n${SHA256_OID}-Hash:${B64_32}\n`, 'NU3000'],
    ['no final newline at all', `Version:1\n\n${SHA256_OID}-Hash:${B64_32}`, 'NU3000'],
    ['a UTF-8 BOM', `\uFEFFVersion:1\n\n${SHA256_OID}-Hash:${B64_32}\n\n`, 'NU3000'],
    ['Version:2', `Version:2\n\n${SHA256_OID}-Hash:${B64_32}\n\n`, 'NU3007'],
    ['Version with a trailing space', `Version:1 \n\n${SHA256_OID}-Hash:${B64_32}\n\n`, 'NU3007'],
    ['no Version key', `Versions:1\n\n${SHA256_OID}-Hash:${B64_32}\n\n`, 'NU3007'],
    ['only an unknown hash OID (SHA-1)', `Version:1\n\n1.3.14.3.2.26-Hash:${Buffer.alloc(20).toString('base64')}\n\n`, 'NU3000'],
    ['no hash key', `Version:1\n\nFoo:bar\n\n`, 'NU3000'],
    ['a duplicate key', `Version:1\n\n${SHA256_OID}-Hash:${B64_32}\n${SHA256_OID}-Hash:${B64_32}\n\n`, 'NU3000'],
    ['a duplicate Version', `Version:1\nVersion:1\n\n${SHA256_OID}-Hash:${B64_32}\n\n`, 'NU3000'],
    ['a 31-byte SHA-256 hash', `Version:1\n\n${SHA256_OID}-Hash:${Buffer.alloc(31).toString('base64')}\n\n`, 'NU3000'],
    ['a 33-byte SHA-256 hash', `Version:1\n\n${SHA256_OID}-Hash:${Buffer.alloc(33).toString('base64')}\n\n`, 'NU3000'],
    ['base64 without padding', `Version:1\n\n${SHA256_OID}-Hash:${B64_32.replace(/=+$/, '')}\n\n`, 'NU3000'],
    ['base64 with a space', `Version:1\n\n${SHA256_OID}-Hash: ${B64_32}\n\n`, 'NU3000'],
    ['a key with a space', `Version:1\n\n${SHA256_OID} -Hash:${B64_32}\n\n`, 'NU3000'],
    ['a line without a colon', `Version:1\n\njunk\n${SHA256_OID}-Hash:${B64_32}\n\n`, 'NU3000'],
    ['an empty first section', `\nVersion:1\n\n${SHA256_OID}-Hash:${B64_32}\n\n`, 'NU3000'],
    ['an empty input', '', 'NU3000'],
  ];
  for (const [name, text, nugetCode] of rejected) {
    test(`rejects ${name} (${nugetCode})`, () => {
      assert.throws(
        () => decodeSignatureContent(Buffer.from(text, 'utf8')),
        (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED') && error.nugetCode === nugetCode,
      );
    });
  }
});
