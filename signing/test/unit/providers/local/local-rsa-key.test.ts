// SPDX-License-Identifier: MIT
// The in-process RSA key: the same PKCS#1 v1.5 signature from the data and from its digest, for
// every hash, and an aborted signal refused before any work.

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { isReposignError } from '../../../../src/errors.js';
import { generateSelfSignedCertificate } from '../../../../src/certificates/self-signed-certificate.js';
import { pemKeyLoader } from '../../../../src/providers/local/pem-key.js';
import type { SigningKey } from '../../../../src/signing-key.js';
import { signInputDigest } from '../../../../src/signing-key.js';

const signal = new AbortController().signal;
let key: SigningKey;
let certificatePem: string;

before(async () => {
  const generated = await generateSelfSignedCertificate({ subject: 'CN=Local RSA', keyBits: 2048 });
  certificatePem = generated.certificatePem;
  key = await pemKeyLoader.open({ certificatePem, privateKeyPem: generated.privateKeyPem });
});
after(() => key.close());

describe('local RSA key', () => {
  for (const hash of ['SHA256', 'SHA384', 'SHA512'] as const) {
    test(`${hash}: data and digest give the same, verifiable signature`, async () => {
      const data = Buffer.from(`to be signed with ${hash}`);
      const digest = createHash(hash.toLowerCase()).update(data).digest();
      const fromData = await key.sign({ data }, hash, { signal });
      const fromDigest = await key.sign({ digest }, hash, { signal });
      assert.ok(verify(hash.toLowerCase(), data, certificatePem, fromData));
      // PKCS#1 v1.5 is deterministic: both forms must produce the very same octets.
      assert.deepEqual(Buffer.from(fromDigest), Buffer.from(fromData));
      assert.deepEqual(Buffer.from(signInputDigest({ data }, hash)), digest);
    });
  }

  test('a digest of the wrong length is INVALID_ARGUMENT', async () => {
    await assert.rejects(key.sign({ digest: new Uint8Array(20) }, 'SHA256', { signal }), (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'));
  });

  test('an aborted signal is refused before signing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await assert.rejects(key.sign({ data: Buffer.from('x') }, 'SHA256', { signal: controller.signal }), /gone/);
  });

  test('a non-RSA key is KEY_UNSUPPORTED', async () => {
    const ec = String(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await assert.rejects(pemKeyLoader.open({ certificatePem, privateKeyPem: ec }), (error: unknown) => isReposignError(error) && ['KEY_UNSUPPORTED', 'CERTIFICATE_MISMATCH'].includes(error.code));
  });
});
