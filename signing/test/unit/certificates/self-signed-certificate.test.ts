// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { isReposignError } from '../../../src/errors.js';
import { certificatesFromPem, parseCertificate } from '../../../src/certificates/certificate.js';
import { encodeDistinguishedName } from '../../../src/certificates/distinguished-name.js';
import {
  generateSelfSignedCertificate,
  type GeneratedCertificate,
  type SelfSignedCertificateOptions,
} from '../../../src/certificates/self-signed-certificate.js';
import { signingCertificateProblems } from '../../../src/certificates/signing-certificate-policy.js';
import { children, readOid, readTlv, tlvContent } from '../../../src/cms/der.js';
import { OID } from '../../../src/cms/oids.js';
import { runOpenssl } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';

const DAY = 24 * 60 * 60 * 1000;

let dir: string;
let generated: GeneratedCertificate;
let text: string;
const notBefore = new Date('2025-03-01T10:00:00Z');

before(async () => {
  dir = await makeTempDir('self-signed');
  generated = await generateSelfSignedCertificate({ subject: 'CN=reposign feed, O=Contoso\\, Ltd, C=us', keyBits: 2048, validityDays: 30, notBefore });
  const path = join(dir, 'generated.pem');
  await writeFile(path, generated.certificatePem);
  text = await runOpenssl(['x509', '-in', path, '-noout', '-text', '-nameopt', 'RFC2253']);
});
after(() => removeTempDir(dir));

describe('generateSelfSignedCertificate', () => {
  test('openssl shows the NuGet profile: sha256WithRSA, 2048 bits, CA:FALSE, critical digitalSignature, code signing, SKI', () => {
    assert.match(text, /Version: 3 \(0x2\)/);
    assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\n/);
    assert.match(text, /X509v3 Extended Key Usage: \s*\n\s+Code Signing\n/);
    assert.match(text, /X509v3 Subject Key Identifier: \s*\n\s+([0-9A-F]{2}:){19}[0-9A-F]{2}\n/);
    assert.match(text, /Subject: C=US,O=Contoso\\, Ltd,CN=reposign feed/);
    assert.match(text, /Issuer: C=US,O=Contoso\\, Ltd,CN=reposign feed/);
  });

  test('an explicit notAfter wins over validityDays, and one before notBefore is INVALID_ARGUMENT', async () => {
    const notAfter = new Date(notBefore.getTime() + 90 * 60 * 1000);
    const short = await generateSelfSignedCertificate({ subject: 'CN=short', keyBits: 2048, validityDays: 30, notBefore, notAfter });
    const parsed = parseCertificate(certificatesFromPem(short.certificatePem)[0]);
    assert.equal(parsed.notAfter.toISOString(), notAfter.toISOString());
    await assert.rejects(
      generateSelfSignedCertificate({ subject: 'CN=backwards', keyBits: 2048, notBefore, notAfter: notBefore }),
      (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'),
    );
  });

  test('privateKeyPem re-certifies an existing key; a non-RSA key is INVALID_ARGUMENT', async () => {
    const again = await generateSelfSignedCertificate({ subject: 'CN=same key', privateKeyPem: generated.privateKeyPem, notBefore });
    assert.equal(again.privateKeyPem.length > 0, true);
    const first = new X509Certificate(generated.certificatePem);
    const second = new X509Certificate(again.certificatePem);
    assert.notEqual(second.fingerprint256, first.fingerprint256);
    assert.equal(second.publicKey.export({ type: 'spki', format: 'pem' }), first.publicKey.export({ type: 'spki', format: 'pem' }));
    const ec = (await import('node:crypto')).generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(generateSelfSignedCertificate({ subject: 'CN=ec', privateKeyPem: ec }), (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'));
  });

  test('validity is notBefore plus the given days; the self-signature verifies; the key matches', () => {
    const certificate = parseCertificate(certificatesFromPem(generated.certificatePem)[0]);
    assert.equal(certificate.notBefore.toISOString(), notBefore.toISOString());
    assert.equal(certificate.notAfter.getTime() - certificate.notBefore.getTime(), 30 * DAY);
    const x509 = new X509Certificate(generated.certificatePem);
    assert.ok(x509.verify(x509.publicKey));
    assert.ok(x509.checkPrivateKey(createPrivateKey(generated.privateKeyPem)));
    assert.match(generated.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(certificate.selfIssued, true);
    assert.deepEqual(signingCertificateProblems(certificate, new Date(notBefore.getTime() + DAY)), []);
  });

  test('the serial is a positive 16-byte integer', () => {
    const certificate = parseCertificate(certificatesFromPem(generated.certificatePem)[0]);
    assert.equal(certificate.serialContent.length, 16);
    assert.equal(certificate.serialContent[0] & 0x80, 0);
    assert.notEqual(certificate.serialContent[0], 0);
  });

  test('3072 bits and SHA-384 are honoured, and the default notBefore is about an hour ago', async () => {
    const started = Date.now();
    const large = await generateSelfSignedCertificate({ subject: 'CN=large', keyBits: 3072, hashAlgorithm: 'SHA384', validityDays: 1 });
    const certificate = parseCertificate(certificatesFromPem(large.certificatePem)[0]);
    assert.equal(certificate.keyBits, 3072);
    assert.equal(certificate.signatureAlgorithmOid, OID.sha384WithRsa);
    const hourAgo = started - 60 * 60 * 1000;
    assert.ok(Math.abs(certificate.notBefore.getTime() - hourAgo) < 5 * 60 * 1000, certificate.notBefore.toISOString());
  });

  const invalid: readonly [string, Record<string, unknown>][] = [
    ['0 days', { validityDays: 0 }],
    ['3651 days', { validityDays: 3651 }],
    ['1.5 days', { validityDays: 1.5 }],
    ['a 1024-bit key', { keyBits: 1024 }],
    ['an empty subject', { subject: '' }],
    ['a three-letter country', { subject: 'CN=x, C=USA' }],
  ];
  for (const [name, overrides] of invalid) {
    test(`${name} is INVALID_ARGUMENT`, async () => {
      const options = { subject: 'CN=x', ...overrides } as SelfSignedCertificateOptions;
      await assert.rejects(generateSelfSignedCertificate(options), (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'));
    });
  }
});

describe('encodeDistinguishedName', () => {
  function rdns(text: string): { oid: string; tag: number; value: string }[] {
    return children(readTlv(encodeDistinguishedName(text))).map((rdn) => {
      const set = children(rdn);
      assert.equal(set.length, 1, 'one attribute per RDN');
      const [type, value] = children(set[0]);
      return { oid: readOid(type), tag: value.tag, value: Buffer.from(tlvContent(value)).toString('utf8') };
    });
  }

  test('CN=a, O=b\\, c, C=US keeps order, unescapes the comma and writes C as PrintableString', () => {
    assert.deepEqual(rdns('CN=a, O=b\\, c, C=US'), [
      { oid: OID.commonName, tag: 0x0c, value: 'a' },
      { oid: OID.organizationName, tag: 0x0c, value: 'b, c' },
      { oid: OID.countryName, tag: 0x13, value: 'US' },
    ]);
  });

  test('quotes, semicolons, lower-case keys and every supported attribute type', () => {
    assert.deepEqual(
      rdns('cn="x, y"; ou=Unit; l=Town; st=State; s=Other; e=a@b.c; c=de').map((rdn) => [rdn.oid, rdn.value]),
      [
        [OID.commonName, 'x, y'],
        [OID.organizationalUnitName, 'Unit'],
        [OID.localityName, 'Town'],
        [OID.stateOrProvinceName, 'State'],
        [OID.stateOrProvinceName, 'Other'],
        [OID.emailAddress, 'a@b.c'],
        [OID.countryName, 'DE'],
      ],
    );
  });

  for (const bad of ['', ' , ', 'CN', 'CN=', '=x', 'X=y', 'CN=a, C=USA', 'C=1A', 'CN=a, DC=com']) {
    test(`'${bad}' is INVALID_ARGUMENT`, () => {
      assert.throws(() => encodeDistinguishedName(bad), (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'));
    });
  }
});
