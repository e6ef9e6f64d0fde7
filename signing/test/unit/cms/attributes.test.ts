// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { isReposignError } from '../../../src/errors.js';
import { parseCertificate, type ParsedCertificate } from '../../../src/certificates/certificate.js';
import {
  contentTypeDataAttribute,
  messageDigestAttribute,
  repositoryAttributes,
  signingCertificateV2,
  type RepositoryAttributeOptions,
} from '../../../src/cms/attributes.js';
import { children, readOid, readTlv, tlvBytes, tlvContent, type Tlv } from '../../../src/cms/der.js';
import { OID } from '../../../src/cms/oids.js';
import { createRootCa, createSelfSigned, issueCertificate } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
const spaced = (text: string): string => text.replace(/\s+/g, '');

const CONTENT_TYPE = '30 18 06 09 2A 86 48 86 F7 0D 01 09 03 31 0B 06 09 2A 86 48 86 F7 0D 01 07 01';
const PROOF_OF_RECEIPT = '30 1E 06 0B 2A 86 48 86 F7 0D 01 09 10 02 10 31 0F 30 0D 06 0B 2A 86 48 86 F7 0D 01 09 10 06 02';
const OWNERS_ALICE_BOB = '30 1E 06 0C 2B 06 01 04 01 82 37 54 02 01 01 02 31 0E 30 0C 0C 05 61 6C 69 63 65 0C 03 62 6F 62';
const SERVICE_INDEX_PREFIX = '30 33 06 0C 2B 06 01 04 01 82 37 54 02 01 01 01 31 23 16 21 68 74 74 70 73';
const URL = 'https://example.com/v3/index.json';

let dir: string;
let leaf: ParsedCertificate;
let root: ParsedCertificate;
let selfSigned: ParsedCertificate;

before(async () => {
  dir = await makeTempDir('attributes');
  const ca = await createRootCa(dir, { name: 'Attributes Root' });
  root = parseCertificate(ca.certDer);
  leaf = parseCertificate((await issueCertificate(ca, { subject: '/CN=Attributes Leaf/O=Tests, Inc./C=US' })).certDer);
  selfSigned = parseCertificate((await createSelfSigned(dir, { subject: 'Self Signed' })).certDer);
});
after(() => removeTempDir(dir));

function options(overrides: Partial<RepositoryAttributeOptions> = {}): RepositoryAttributeOptions {
  return { certificate: leaf, hash: 'SHA256', serviceIndexUrl: URL, signingTime: new Date('2024-05-17T12:30:45Z'), ...overrides };
}

function attributeOid(encoded: Uint8Array): string {
  return readOid(children(readTlv(encoded))[0]);
}

function singleValue(encoded: Uint8Array): Tlv {
  const [, values] = children(readTlv(encoded));
  assert.equal(values.tag, 0x31);
  const list = children(values);
  assert.equal(list.length, 1, 'NuGet attributes carry exactly one value');
  return list[0];
}

describe('fixed attribute bytes (spec §5.2)', () => {
  test('content-type id-data', () => assert.equal(hex(contentTypeDataAttribute()), spaced(CONTENT_TYPE)));

  test('commitment-type proof-of-receipt', () => {
    const commitment = repositoryAttributes(options()).find((encoded) => attributeOid(encoded) === OID.commitmentTypeIndication);
    assert.equal(hex(commitment!), spaced(PROOF_OF_RECEIPT));
  });

  test('owners alice, bob', () => {
    const owners = repositoryAttributes(options({ packageOwners: ['alice', 'bob'] })).find(
      (encoded) => attributeOid(encoded) === OID.nugetPackageOwners,
    );
    assert.equal(hex(owners!), spaced(OWNERS_ALICE_BOB));
  });

  test('service index URL for https://example.com/v3/index.json', () => {
    const url = repositoryAttributes(options()).find((encoded) => attributeOid(encoded) === OID.nugetV3ServiceIndexUrl);
    assert.equal(hex(url!), spaced(SERVICE_INDEX_PREFIX) + hex(Buffer.from(URL.slice(5), 'ascii')));
  });

  test('signing-time as UTCTime, and GeneralizedTime from 2050', () => {
    const [utc] = repositoryAttributes(options());
    assert.equal(hex(utc), spaced('30 1C 06 09 2A 86 48 86 F7 0D 01 09 05 31 0F 17 0D') + hex(Buffer.from('240517123045Z')));
    const [generalized] = repositoryAttributes(options({ signingTime: new Date('2050-01-01T00:00:00Z') }));
    assert.equal(hex(generalized), spaced('30 1E 06 09 2A 86 48 86 F7 0D 01 09 05 31 11 18 0F') + hex(Buffer.from('20500101000000Z')));
  });

  test('message-digest wraps the digest in an OCTET STRING', () => {
    const digest = new Uint8Array(32).fill(0x5a);
    assert.equal(hex(messageDigestAttribute(digest)), spaced('30 2F 06 09 2A 86 48 86 F7 0D 01 09 04 31 22 04 20') + '5A'.repeat(32));
  });
});

describe('repositoryAttributes', () => {
  test('writes signing-time, commitment, signing-certificate-v2 and service index URL, without owners by default', () => {
    for (const packageOwners of [undefined, []]) {
      const oids = repositoryAttributes(options({ packageOwners })).map(attributeOid);
      assert.deepEqual(oids, [OID.signingTime, OID.commitmentTypeIndication, OID.signingCertificateV2, OID.nugetV3ServiceIndexUrl]);
    }
  });

  test('never writes the forbidden signing-certificate v1, content-type or message-digest', () => {
    const oids = repositoryAttributes(options({ packageOwners: ['x'] })).map(attributeOid);
    for (const forbidden of [OID.signingCertificate, OID.contentType, OID.messageDigest]) assert.ok(!oids.includes(forbidden));
  });

  test('owners keep their order and UTF-8 text', () => {
    const owners = repositoryAttributes(options({ packageOwners: ['Zoë', 'alice'] })).at(-1)!;
    const values = children(singleValue(owners)).map((value) => ({ tag: value.tag, text: Buffer.from(tlvContent(value)).toString('utf8') }));
    assert.deepEqual(values, [
      { tag: 0x0c, text: 'Zoë' },
      { tag: 0x0c, text: 'alice' },
    ]);
  });

  const invalid: readonly [string, Partial<RepositoryAttributeOptions>][] = [
    ['an http URL', { serviceIndexUrl: 'http://example.com/v3/index.json' }],
    ['a relative URL', { serviceIndexUrl: '/v3/index.json' }],
    ['a bare host name', { serviceIndexUrl: 'example.com/v3/index.json' }],
    ['an ftp URL', { serviceIndexUrl: 'ftp://example.com/v3/index.json' }],
    ['a non-ASCII URL', { serviceIndexUrl: 'https://exämple.com/v3/index.json' }],
    ['an empty URL', { serviceIndexUrl: '' }],
    ['a blank owner', { packageOwners: ['alice', '  '] }],
    ['an empty owner', { packageOwners: [''] }],
  ];
  for (const [name, overrides] of invalid) {
    test(`${name} is INVALID_ARGUMENT`, () => {
      assert.throws(() => repositoryAttributes(options(overrides)), (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'));
    });
  }
});

describe('signing-certificate-v2 (spec §5.2.1)', () => {
  for (const [hash, oid, nodeName] of [
    ['SHA256', '2.16.840.1.101.3.4.2.1', 'sha256'],
    ['SHA384', '2.16.840.1.101.3.4.2.2', 'sha384'],
    ['SHA512', '2.16.840.1.101.3.4.2.3', 'sha512'],
  ] as const) {
    test(`${hash}: one ESSCertIDv2 with the hash algorithm written, the cert hash, [4] issuer and serial`, () => {
      const encoded = signingCertificateV2(leaf, hash);
      assert.equal(attributeOid(encoded), OID.signingCertificateV2);
      const signingCertificate = singleValue(encoded);
      const parts = children(signingCertificate);
      assert.equal(parts.length, 1, 'no policies');
      const certs = children(parts[0]);
      assert.equal(certs.length, 1, 'exactly one ESSCertIDv2');
      const [algorithm, certHash, issuerSerial, ...rest] = children(certs[0]);
      assert.equal(rest.length, 0);
      const algorithmParts = children(algorithm);
      assert.equal(algorithmParts.length, 1, 'no NULL parameters');
      assert.equal(readOid(algorithmParts[0]), oid);
      assert.equal(certHash.tag, 0x04);
      assert.equal(hex(tlvContent(certHash)), createHash(nodeName).update(leaf.der).digest('hex').toUpperCase());
      const [generalNames, serial] = children(issuerSerial);
      const names = children(generalNames);
      assert.equal(names.length, 1);
      assert.equal(names[0].tag, 0xa4, 'directoryName [4], constructed');
      assert.equal(hex(tlvContent(names[0])), hex(leaf.issuerNameDer));
      assert.equal(hex(tlvContent(names[0])), hex(root.subjectNameDer), 'the issuer bytes are the CA subject bytes verbatim');
      assert.equal(serial.tag, 0x02);
      assert.equal(hex(tlvContent(serial)), hex(leaf.serialContent));
    });
  }

  test('a self-signed certificate: issuer = its own subject, serial content copied verbatim', () => {
    const encoded = signingCertificateV2(selfSigned, 'SHA256');
    const essCertId = children(children(singleValue(encoded))[0])[0];
    const serial = children(children(essCertId)[2])[1];
    const directoryName = children(children(children(essCertId)[2])[0])[0];
    assert.equal(hex(tlvContent(directoryName)), hex(selfSigned.subjectNameDer));
    assert.equal(hex(tlvBytes(serial).subarray(2)), hex(selfSigned.serialContent));
    assert.equal(
      selfSigned.serialNumber,
      hex(selfSigned.serialContent).replace(/^(00)+(?=.)/, ''),
      'serialNumber is the magnitude in uppercase hex',
    );
  });
});
