// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isReposignError } from '../../../src/errors.js';
import {
  children,
  element,
  integer,
  octetStringValue,
  oid,
  readOid,
  readTime,
  readTlv,
  retag,
  setOf,
  time,
  tlvBytes,
  tlvContent,
  unsignedInteger,
} from '../../../src/cms/der.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

function assertMalformed(input: Uint8Array): void {
  assert.throws(
    () => readTlv(input),
    (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED') && error.nugetCode === 'NU3003',
  );
}

describe('OBJECT IDENTIFIER', () => {
  const cases: readonly [string, string][] = [
    ['1.2.840.113549.1.7.2', '06092A864886F70D010702'],
    ['1.2.840.113549.1.9.16.2.47', '060B2A864886F70D010910022F'],
    ['1.3.6.1.4.1.311.84.2.1.1.1', '060C2B0601040182375402010101'],
    ['2.16.840.1.101.3.4.2.1', '0609608648016503040201'],
    ['0.4.0.2023.1.1', '060604008F670101'],
    ['2.999.3', '0603883703'],
  ];
  for (const [dotted, der] of cases) {
    test(`${dotted} encodes to ${der} and back`, () => {
      assert.equal(hex(oid(dotted)), der);
      assert.equal(readOid(readTlv(bytes(der))), dotted);
    });
  }

  test('arcs beyond 2^53 and 2^64 round-trip exactly', () => {
    for (const dotted of ['1.2.9007199254740993', '2.25.18446744073709551617', '1.3.6.1.4.1.340282366920938463463374607431768211455']) {
      assert.equal(readOid(readTlv(oid(dotted))), dotted);
    }
    // 2^64+1 as base-128: 0x82 0x80 ... 0x81 (ten groups), after the 2.25 head byte 0x69.
    assert.equal(hex(oid('2.25.18446744073709551617')), '060B6982808080808080808001');
  });

  test('a one-arc OID is refused and a non-OID element is malformed', () => {
    assert.throws(() => oid('1'), (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'));
    assert.throws(() => readOid(readTlv(bytes('020101'))), (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED'));
    assert.throws(() => readOid(readTlv(bytes('0600'))), (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED'));
  });
});

describe('lengths', () => {
  const cases: readonly [number, string][] = [
    [0, '0400'],
    [127, '047F'],
    [128, '048180'],
    [255, '0481FF'],
    [256, '04820100'],
    [65535, '0482FFFF'],
    [65536, '0483010000'],
  ];
  for (const [length, header] of cases) {
    test(`${length} content bytes get the header ${header}`, () => {
      const encoded = element(0x04, new Uint8Array(length).fill(0xab));
      assert.equal(hex(encoded.subarray(0, header.length / 2)), header);
      assert.equal(encoded.length, header.length / 2 + length);
      const tlv = readTlv(encoded);
      assert.deepEqual(
        { tag: tlv.tag, start: tlv.start, contentStart: tlv.contentStart, end: tlv.end },
        { tag: 0x04, start: 0, contentStart: header.length / 2, end: encoded.length },
      );
      assert.equal(tlvContent(tlv).length, length);
    });
  }

  test('readTlv honours an offset and a limit', () => {
    const buffer = bytes('FF 04 02 AA BB 05 00');
    const tlv = readTlv(buffer, 1);
    assert.equal(hex(tlvBytes(tlv)), '0402AABB');
    assert.equal(hex(tlvBytes(readTlv(buffer, 5))), '0500');
    assertMalformedAt(buffer, 1, 4);
  });

  function assertMalformedAt(buffer: Uint8Array, offset: number, limit: number): void {
    assert.throws(() => readTlv(buffer, offset, limit), (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED'));
  }
});

describe('truncated and oversized input', () => {
  const cases: readonly [string, string][] = [
    ['empty input', ''],
    ['a lone identifier octet', '30'],
    ['content shorter than the length', '3005020101'],
    ['a long length without its octets', '308201'],
    ['a 4-byte length pointing past the end', '0484FFFFFFFF00'],
    ['a 5-byte length form', '048500000000010000'],
    ['a high tag number', '1F0100'],
    ['indefinite length on a primitive', '04800000'],
    ['indefinite length without end-of-contents', '3080020101'],
    ['a child overrunning an indefinite parent', '30800205010000'],
  ];
  for (const [name, input] of cases) {
    test(`${name} is SIGNATURE_MALFORMED (NU3003)`, () => assertMalformed(bytes(input)));
  }

  test('nesting deeper than 64 levels is refused', () => {
    const depth = 70;
    const input = new Uint8Array(depth * 4);
    for (let i = 0; i < depth; i++) {
      input[i * 2] = 0x30;
      input[i * 2 + 1] = 0x80;
    }
    assertMalformed(input);
  });

  test('children() refuses a child that overruns its parent', () => {
    const parent = readTlv(bytes('3003 0405 AABB'), 0, 2 + 3);
    assert.throws(() => children(parent), (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED'));
  });
});

describe('BER', () => {
  test('an indefinite-length SEQUENCE exposes its children and ends after 00 00', () => {
    const input = bytes('3080 020105 0500 0000 FF');
    const tlv = readTlv(input);
    assert.deepEqual({ contentStart: tlv.contentStart, contentEnd: tlv.contentEnd, end: tlv.end }, { contentStart: 2, contentEnd: 7, end: 9 });
    assert.deepEqual(children(tlv).map((child) => hex(tlvBytes(child))), ['020105', '0500']);
  });

  test('octetStringValue joins constructed OCTET STRING segments, definite, indefinite and nested', () => {
    const cases: readonly [string, string][] = [
      ['0403010203', '010203'],
      ['2409 0402 0102 0403 030405', '0102030405'],
      ['2480 0402 0102 0401 03 0000', '010203'],
      ['2480 2480 0401 01 0000 0402 0203 0000', '010203'],
      ['2400', ''],
    ];
    for (const [input, value] of cases) assert.equal(hex(octetStringValue(readTlv(bytes(input)))), value, input);
  });

  test('octetStringValue refuses other types, also as a segment', () => {
    for (const input of ['0C0161', '2403 0C0161']) {
      assert.throws(() => octetStringValue(readTlv(bytes(input))), (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED'));
    }
  });
});

describe('SET OF', () => {
  test('sorts elements by their encodings', () => {
    const set = setOf([bytes('040102'), bytes('020105'), bytes('040101'), bytes('0C00'), bytes('3000')]);
    assert.equal(hex(set), '310D' + '020105' + '040101' + '040102' + '0C00' + '3000');
  });

  test('orders a prefix before its extension and keeps duplicates', () => {
    const set = setOf([bytes('0402AABB'), bytes('0401AA'), bytes('0401AA')]);
    assert.deepEqual(children(readTlv(set)).map((child) => hex(tlvBytes(child))), ['0401AA', '0401AA', '0402AABB']);
  });

  test('does not reorder the caller array', () => {
    const items = [bytes('0500'), bytes('0101FF')];
    setOf(items);
    assert.equal(hex(items[0]), '0500');
  });
});

describe('INTEGER', () => {
  const cases: readonly [number, string][] = [
    [0, '020100'],
    [1, '020101'],
    [3, '020103'],
    [127, '02017F'],
    [128, '02020080'],
    [256, '02020100'],
    [65535, '020300FFFF'],
  ];
  for (const [value, der] of cases) test(`integer(${value}) is ${der}`, () => assert.equal(hex(integer(value)), der));

  test('unsignedInteger trims leading zeros and adds 00 when the top bit is set', () => {
    assert.equal(hex(unsignedInteger(bytes('000080'))), '02020080');
    assert.equal(hex(unsignedInteger(bytes('0001'))), '020101');
    assert.equal(hex(unsignedInteger(bytes('00'))), '020100');
    assert.equal(hex(unsignedInteger(bytes('7FFF'))), '02027FFF');
    assert.equal(hex(unsignedInteger(bytes('FF01'))), '020300FF01');
  });

  test('retag changes only the identifier octet and copies', () => {
    const original = bytes('3103020101');
    const retagged = retag(original, 0xa0);
    assert.equal(hex(retagged), 'A003020101');
    assert.equal(hex(original), '3103020101');
  });
});

describe('time', () => {
  const cases: readonly [string, number, string][] = [
    ['1949-12-31T23:59:59.000Z', 0x18, '19491231235959Z'],
    ['1950-01-01T00:00:00.000Z', 0x17, '500101000000Z'],
    ['2024-05-17T12:30:45.999Z', 0x17, '240517123045Z'],
    ['2049-12-31T23:59:59.000Z', 0x17, '491231235959Z'],
    ['2050-01-01T00:00:00.000Z', 0x18, '20500101000000Z'],
  ];
  for (const [iso, tag, text] of cases) {
    test(`${iso} is ${tag === 0x17 ? 'UTCTime' : 'GeneralizedTime'} ${text}`, () => {
      const encoded = time(new Date(iso));
      assert.equal(encoded[0], tag);
      assert.equal(encoded[1], text.length);
      assert.equal(Buffer.from(encoded.subarray(2)).toString('ascii'), text);
      const back = readTime(readTlv(encoded));
      assert.equal(back.toISOString(), `${iso.slice(0, 19)}.000Z`);
    });
  }

  test('readTime maps UTCTime years 50..99 to 19xx and reads fractional GeneralizedTime', () => {
    assert.equal(readTime(readTlv(element(0x17, Buffer.from('990101000000Z')))).toISOString(), '1999-01-01T00:00:00.000Z');
    assert.equal(readTime(readTlv(element(0x17, Buffer.from('490101000000Z')))).toISOString(), '2049-01-01T00:00:00.000Z');
    assert.equal(
      readTime(readTlv(element(0x18, Buffer.from('20240517123045.25Z')))).toISOString(),
      '2024-05-17T12:30:45.250Z',
    );
  });

  test('readTime refuses local times, a mismatched tag and junk', () => {
    for (const [tag, text] of [
      [0x17, '240517123045'],
      [0x17, '20240517123045Z'],
      [0x18, '240517123045Z'],
      [0x18, '20240517123045+0100'],
      [0x04, '240517123045Z'],
    ] as const) {
      assert.throws(() => readTime(readTlv(element(tag, Buffer.from(text)))), (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED'));
    }
  });
});
