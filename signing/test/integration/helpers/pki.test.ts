// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { test } from 'node:test';

import { parseCertificate } from '../../../src/certificates/certificate.js';
import { promisify } from 'node:util';
import {
  createRootCa,
  createSelfSigned,
  exportPfx,
  issueCertificate,
  issueIntermediateCa,
  runOpenssl,
} from '../../helpers/pki.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

const execFileAsync = promisify(execFile);
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

test('a CA-issued code-signing leaf has the shape NuGet requires', async (t) => {
  const dir = await tempDirFor(t, 'pki');
  const ca = await createRootCa(dir, { name: 'Test Root' });
  const leaf = await issueCertificate(ca, { subject: 'Test Signer', keyBits: 3072, eku: 'codeSigning' });
  const x509 = new X509Certificate(leaf.certPem);

  assert.equal(x509.subject, 'CN=Test Signer');
  assert.ok(x509.checkIssued(new X509Certificate(ca.certPem)));
  assert.deepEqual(x509.keyUsage, [CODE_SIGNING]);
  assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 3072);
  assert.equal(leaf.fingerprintSha256, createHash('sha256').update(leaf.certDer).digest('hex').toUpperCase());
  assert.match(leaf.fingerprintSha256, /^[0-9A-F]{64}$/);
  const notBefore = Date.parse(x509.validFrom);
  assert.ok(Date.now() - notBefore > 23 * 3600_000, 'NotBefore is about a day in the past');
  // node prints the serial without DER's leading 00, so the sign is read from the encoding itself.
  const serial = parseCertificate(leaf.certDer).serialContent;
  assert.ok(serial[0] < 0x80, 'serial is positive');

  const text = await runOpenssl(['x509', '-in', leaf.certPath, '-noout', '-text']);
  assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
  assert.match(text, /Key Usage: critical\s+Digital Signature/);
  assert.match(text, /Subject Key Identifier/);
  assert.match(text, /CA:FALSE/);
  assert.match(await runOpenssl(['verify', '-CAfile', ca.certPath, leaf.certPath]), /: OK/);
});

test('options shape EKU, SKI, key type and validity', async (t) => {
  const dir = await tempDirFor(t, 'pki');
  const ca = await createRootCa(dir, { name: 'Test Root' });
  const notBefore = new Date('2020-01-01T00:00:00Z');
  const notAfter = new Date('2021-01-01T00:00:00Z');
  const [tsa, bare, ec, expired, weak] = await Promise.all([
    issueCertificate(ca, { subject: 'TSA', eku: 'timeStamping' }),
    issueCertificate(ca, { subject: 'Bare', eku: 'none', ski: false }),
    issueCertificate(ca, { subject: 'Ec', keyType: 'ec' }),
    issueCertificate(ca, { subject: 'Expired', notBefore, notAfter }),
    issueCertificate(ca, { subject: 'Weak', keyBits: 1024 }),
  ]);
  assert.deepEqual(new X509Certificate(tsa.certPem).keyUsage, [TIME_STAMPING]);
  assert.match(await runOpenssl(['x509', '-in', tsa.certPath, '-noout', '-ext', 'extendedKeyUsage']), /critical/);
  const bareText = await runOpenssl(['x509', '-in', bare.certPath, '-noout', '-text']);
  assert.doesNotMatch(bareText, /Extended Key Usage|Subject Key Identifier/);
  assert.equal(new X509Certificate(ec.certPem).publicKey.asymmetricKeyType, 'ec');
  assert.equal(Date.parse(new X509Certificate(expired.certPem).validFrom), notBefore.getTime());
  assert.equal(Date.parse(new X509Certificate(expired.certPem).validTo), notAfter.getTime());
  assert.equal(new X509Certificate(weak.certPem).publicKey.asymmetricKeyDetails?.modulusLength, 1024);
});

test('intermediate CAs and self-signed certificates chain as expected', async (t) => {
  const dir = await tempDirFor(t, 'pki');
  const root = await createRootCa(dir, { name: 'Root' });
  const intermediate = await issueIntermediateCa(root, { name: 'Intermediate' });
  const leaf = await issueCertificate(intermediate, { subject: 'Leaf' });
  assert.deepEqual(intermediate.chain, [root]);
  assert.match(await runOpenssl(['verify', '-CAfile', root.certPath, '-untrusted', intermediate.certPath, leaf.certPath]), /: OK/);

  const self = await createSelfSigned(dir, { subject: 'Self', days: 30 });
  const x509 = new X509Certificate(self.certPem);
  assert.equal(x509.issuer, x509.subject);
  assert.ok(x509.verify(x509.publicKey));
  const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
  assert.equal(Math.round(days), 30);
});

test('PFX export writes modern (AES-256) and legacy (3DES key, RC2-40 or 3DES certs) files', async (t) => {
  const dir = await tempDirFor(t, 'pki');
  const ca = await createRootCa(dir, { name: 'Root' });
  const leaf = await issueCertificate(ca, { subject: 'Signer' });
  const password = 's3cret & more';
  // `openssl pkcs12 -info` prints the algorithms on stderr.
  const info = async (path: string, legacy: boolean): Promise<string> => {
    const args = ['pkcs12', '-in', path, '-info', '-nodes', '-passin', `pass:${password}`, ...(legacy ? ['-legacy'] : [])];
    const { stdout, stderr } = await execFileAsync('openssl', args);
    return stdout + stderr;
  };

  const modern = await info(await exportPfx(leaf, { password, legacy: false, includeChain: [ca] }), false);
  assert.match(modern, /AES-256-CBC/);
  assert.equal(modern.match(/BEGIN CERTIFICATE/g)?.length, 2);
  assert.match(modern, /BEGIN PRIVATE KEY/);

  const rc2 = await info(await exportPfx(leaf, { password, legacy: true }), true);
  assert.match(rc2, /pbeWithSHA1And40BitRC2-CBC/);
  assert.match(rc2, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/);
  assert.match(rc2, /MAC: sha1/);

  const des = await info(await exportPfx(leaf, { password, legacy: true, legacyCertBags: '3des' }), false);
  assert.match(des, /Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC/);
  // Only the algorithm lines: the base64 of the dumped key and certificates can spell anything.
  assert.doesNotMatch(des.split('\n').filter((line) => !/^[A-Za-z0-9+/=]{20,}$/.test(line)).join('\n'), /RC2/);
  assert.match(des, /MAC: sha1/);
});
