// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { certificatesFromPem, generateSelfSignedCertificate, isReposignError } from '@reposign/signing';

import { certificateRecord } from '../../src/certificate-record.js';

test('the record of a certificate comes from the engine through the package export', async () => {
  const generated = await generateSelfSignedCertificate({ subject: 'CN=Operator Test, O=reposign', keyBits: 2048, validityDays: 30 });
  const der = certificatesFromPem(generated.certificatePem)[0];
  const record = certificateRecord(der);
  assert.equal(record.fingerprintSha256, createHash('sha256').update(der).digest('hex'));
  assert.equal(record.subject, 'CN=Operator Test, O=reposign');
  assert.equal(record.issuer, record.subject);
  assert.match(record.serialNumber, /^[0-9A-F]+$/);
  assert.ok(Date.parse(record.notAfter) - Date.parse(record.notBefore) >= 30 * 24 * 3600 * 1000);
});

test('bytes that are not a certificate raise the engine error', () => {
  assert.throws(
    () => certificateRecord(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)),
    (error: unknown) => isReposignError(error, 'CERTIFICATE_INVALID'),
  );
});
