// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { isReposignError } from '../../../src/errors.js';
import {
  certificatesFromPem,
  certificateToPem,
  describeCertificate,
  parseCertificate,
  type ParsedCertificate,
} from '../../../src/certificates/certificate.js';
import {
  assertSigningCertificate,
  signingCertificateIssues,
  signingCertificateProblems,
} from '../../../src/certificates/signing-certificate-policy.js';
import { OID } from '../../../src/cms/oids.js';
import { createRootCa, createSelfSigned, issueCertificate, runOpenssl, type TestCa, type TestCertificate } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir, tempDirFor } from '../../helpers/temp-dir.js';

const DAY = 24 * 60 * 60 * 1000;

let dir: string;
let ca: TestCa;
let leaf: TestCertificate;

before(async () => {
  dir = await makeTempDir('certificate');
  ca = await createRootCa(dir, { name: 'Certificate Root' });
  leaf = await issueCertificate(ca, { subject: '/CN=Parsed Leaf/O=Tests/C=US' });
});
after(() => removeTempDir(dir));

async function opensslField(path: string, ...args: string[]): Promise<string> {
  return (await runOpenssl(['x509', '-in', path, '-noout', ...args])).trim();
}

describe('parseCertificate against openssl x509', () => {
  test('fingerprint, serial, SKI, EKU, names, validity and key facts', async () => {
    const parsed = parseCertificate(leaf.certDer);
    const fingerprint = (await opensslField(leaf.certPath, '-fingerprint', '-sha256')).replace(/^.*=/, '').replaceAll(':', '');
    assert.equal(parsed.fingerprintSha256, fingerprint.toLowerCase());
    assert.equal(parsed.fingerprintSha256.toUpperCase(), leaf.fingerprintSha256);
    const serial = (await opensslField(leaf.certPath, '-serial')).replace(/^serial=/, '');
    assert.equal(parsed.serialNumber, serial.replace(/^(00)+(?=.)/, ''));
    const ski = (await opensslField(leaf.certPath, '-ext', 'subjectKeyIdentifier')).split('\n')[1].trim().replaceAll(':', '');
    assert.equal(Buffer.from(parsed.subjectKeyIdentifier!).toString('hex').toUpperCase(), ski);
    const eku = await opensslField(leaf.certPath, '-ext', 'extendedKeyUsage');
    assert.match(eku, /Code Signing/);
    assert.deepEqual(parsed.extendedKeyUsages, [OID.codeSigningEku]);
    assert.equal(parsed.subject, 'CN=Parsed Leaf, O=Tests, C=US');
    assert.deepEqual(parsed.subjectAttributes, { CN: ['Parsed Leaf'], O: ['Tests'], C: ['US'] });
    assert.equal(parsed.issuer, 'CN=Certificate Root');
    const endDate = (await opensslField(leaf.certPath, '-enddate')).replace(/^notAfter=/, '');
    assert.equal(parsed.notAfter.getTime(), new Date(endDate).getTime());
    assert.equal(parsed.keyType, 'rsa');
    assert.equal(parsed.keyBits, 2048);
    assert.equal(parsed.signatureAlgorithmOid, OID.sha256WithRsa);
    assert.equal(parsed.selfIssued, false);
    assert.equal(Buffer.from(parsed.issuerNameDer).toString('hex'), Buffer.from(parseCertificate(ca.certDer).subjectNameDer).toString('hex'));
    assert.equal(parseCertificate(ca.certDer).selfIssued, true);
  });

  test('no EKU extension gives undefined, not an empty list; no SKI gives undefined', async () => {
    const bare = parseCertificate((await createSelfSigned(dir, { subject: 'Bare', eku: 'none', ski: false })).certDer);
    assert.equal(bare.extendedKeyUsages, undefined);
    assert.equal(bare.subjectKeyIdentifier, undefined);
  });

  test('describeCertificate keeps the public facts and a copy of the DER', () => {
    const info = describeCertificate(leaf.certDer);
    assert.deepEqual(Object.keys(info).sort(), [
      'der', 'fingerprintSha256', 'issuer', 'keyBits', 'keyType', 'notAfter', 'notBefore', 'serialNumber', 'signatureAlgorithmOid', 'subject', 'subjectAttributes',
    ]);
    assert.deepEqual(Buffer.from(info.der), Buffer.from(leaf.certDer));
    assert.equal(info.keyType, 'rsa');
    assert.equal(info.keyBits, 2048);
    assert.equal(info.signatureAlgorithmOid, '1.2.840.113549.1.1.11');
  });

  test('PEM round trip keeps the DER and the order of several blocks', () => {
    const pem = certificateToPem(leaf.certDer) + certificateToPem(ca.certDer);
    assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n-----BEGIN/);
    assert.deepEqual(certificatesFromPem(pem).map((der) => Buffer.from(der).toString('hex')), [leaf.certDer, ca.certDer].map((der) => Buffer.from(der).toString('hex')));
    assert.deepEqual(certificatesFromPem('no certificate here'), []);
  });

  test('garbage and truncated DER are CERTIFICATE_INVALID', () => {
    for (const der of [Uint8Array.of(1, 2, 3), leaf.certDer.subarray(0, 200), new Uint8Array(0)]) {
      assert.throws(() => parseCertificate(der), (error: unknown) => isReposignError(error, 'CERTIFICATE_INVALID'));
    }
  });
});

describe('signingCertificateProblems', () => {
  const cases: readonly [string, () => Promise<TestCertificate>, readonly string[]][] = [
    ['a 2048-bit RSA code-signing certificate', () => issueCertificate(ca, { subject: 'Good' }), []],
    ['no EKU at all', () => createSelfSigned(dir, { subject: 'No EKU', eku: 'none' }), []],
    ['an EC key (and an ECDSA signature)', () => createSelfSigned(dir, { subject: 'EC', keyType: 'ec' }), ['NU3014', 'NU3013']],
    ['a 1024-bit RSA key', () => createSelfSigned(dir, { subject: 'Small', keyBits: 1024 }), ['NU3014']],
    [
      'the lifetime-signing EKU',
      () => createSelfSigned(dir, { subject: 'Lifetime', eku: 'codeSigning, 1.3.6.1.4.1.311.10.3.13' }),
      ['NU3015'],
    ],
    ['a serverAuth-only EKU', () => createSelfSigned(dir, { subject: 'Server', eku: 'serverAuth' }), ['NU3012']],
    [
      'not yet valid',
      () => createSelfSigned(dir, { subject: 'Future', notBefore: new Date(Date.now() + 10 * DAY), notAfter: new Date(Date.now() + 20 * DAY) }),
      ['NU3017'],
    ],
    [
      'expired',
      () => createSelfSigned(dir, { subject: 'Expired', notBefore: new Date(Date.now() - 20 * DAY), notAfter: new Date(Date.now() - 10 * DAY) }),
      ['NU3037'],
    ],
  ];
  for (const [name, make, codes] of cases) {
    test(`${name}: ${codes.length === 0 ? 'acceptable' : codes.join(', ')}`, async () => {
      const certificate = parseCertificate((await make()).certDer);
      const problems = signingCertificateProblems(certificate);
      assert.deepEqual(problems.map((problem) => /NU\d{4}/.exec(problem)?.[0]), codes, problems.join('; '));
      if (codes.length === 0) {
        assertSigningCertificate(certificate);
      } else {
        assert.throws(() => assertSigningCertificate(certificate), (error: unknown) => isReposignError(error, 'CERTIFICATE_INVALID'));
      }
    });
  }

  test('validity is judged at the given time, with notAfter exclusive', () => {
    const certificate: ParsedCertificate = parseCertificate(leaf.certDer);
    assert.deepEqual(signingCertificateProblems(certificate, new Date(certificate.notBefore.getTime() - 1000)).length, 1);
    assert.deepEqual(signingCertificateProblems(certificate, certificate.notBefore), []);
    assert.match(signingCertificateProblems(certificate, certificate.notAfter)[0], /NU3037/);
  });
});

describe('signingCertificateIssues', () => {
  test('adds a minimum remaining validity to NuGet rules, for DER input', async (t) => {
    const dir = await tempDirFor(t, 'issues');
    const now = new Date();
    const soon = await createSelfSigned(dir, { subject: 'Expires Soon', notAfter: new Date(now.getTime() + 3 * 60_000) });
    assert.deepEqual(signingCertificateIssues(soon.certDer, { now }), []);
    const [problem] = signingCertificateIssues(soon.certDer, { now, minimumValidityMs: 5 * 60_000 });
    assert.match(problem, /within 5 minutes/);
    const expired = signingCertificateIssues(soon.certDer, { now: new Date(now.getTime() + 10 * 60_000), minimumValidityMs: 5 * 60_000 });
    assert.equal(expired.length, 1, 'an expired certificate is reported once, as expired');
    assert.match(expired[0], /NU3037/);
  });
});
