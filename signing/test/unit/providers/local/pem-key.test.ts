// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { isReposignError } from '../../../../src/errors.js';
import { pemKeyLoader } from '../../../../src/providers/local/pem-key.js';
import { signingProvider } from '../../../../src/index.js';
import { createRootCa, createSelfSigned, issueCertificate, runOpenssl, type TestCa, type TestCertificate } from '../../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

let dir: string;
let ca: TestCa;
let leaf: TestCertificate;
let unrelated: TestCertificate;
let ec: TestCertificate;
let encryptedKeyPem: string;
let pkcs1KeyPem: string;

before(async () => {
  dir = await makeTempDir('pem-key');
  ca = await createRootCa(dir, { name: 'PEM Root' });
  leaf = await issueCertificate(ca, { subject: 'PEM Leaf' });
  unrelated = await createSelfSigned(dir, { subject: 'Unrelated' });
  ec = await createSelfSigned(dir, { subject: 'EC Leaf', keyType: 'ec' });
  const encryptedPath = `${leaf.keyPath}.enc.pem`;
  await runOpenssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', leaf.keyPath, '-out', encryptedPath, '-passout', 'pass:s3cret']);
  encryptedKeyPem = await readFile(encryptedPath, 'utf8');
  pkcs1KeyPem = await runOpenssl(['pkey', '-in', leaf.keyPath, '-traditional']);
});
after(() => removeTempDir(dir));

async function assertSigns(spec: Parameters<typeof pemKeyLoader.open>[0]): Promise<readonly Uint8Array[]> {
  const key = await pemKeyLoader.open(spec);
  try {
    assert.equal(key.kind, 'pem');
    const data = Buffer.from('to be signed');
    const signature = await key.sign({ data }, 'SHA384', { signal: new AbortController().signal });
    assert.ok(verify('sha384', data, leaf.certPem, signature), 'PKCS#1 v1.5 signature verifies with the certificate');
    return key.certificateChain();
  } finally {
    await key.close();
    await key.close();
  }
}

describe('pem key loader', () => {
  test('is a key format of StoredCertificate, not a registered backend', () => {
    assert.equal(signingProvider('StoredCertificate').kind, 'StoredCertificate');
    assert.throws(() => signingProvider('pem'), (error: unknown) => isReposignError(error, 'PROVIDER_UNKNOWN'));
  });

  test('certificate + PKCS#8 key: the chain is the leaf alone', async () => {
    const chain = await assertSigns({ certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem });
    assert.deepEqual(chain.map(hex), [hex(leaf.certDer)]);
  });

  test('a PKCS#1 (RSA PRIVATE KEY) block works too', async () => {
    assert.match(pkcs1KeyPem, /BEGIN RSA PRIVATE KEY/);
    await assertSigns({ certificatePem: leaf.certPem, privateKeyPem: pkcs1KeyPem });
  });

  test('a chain PEM, in any order and with an unrelated certificate, is ordered leaf to root', async () => {
    const fromChain = await assertSigns({ certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem, chainPem: unrelated.certPem + ca.certPem });
    assert.deepEqual(fromChain.map(hex), [hex(leaf.certDer), hex(ca.certDer)]);
    const rootFirst = await assertSigns({ certificatePem: ca.certPem + leaf.certPem, privateKeyPem: leaf.keyPem });
    assert.deepEqual(rootFirst.map(hex), [hex(leaf.certDer), hex(ca.certDer)]);
  });

  test('an encrypted PKCS#8 key opens with its password', async () => {
    await assertSigns({ certificatePem: leaf.certPem, privateKeyPem: encryptedKeyPem, password: 's3cret' });
  });

  for (const [name, password] of [
    ['without a password', undefined],
    ['with a wrong password', 'wrong'],
  ] as const) {
    test(`an encrypted PKCS#8 key ${name} is KEY_BAD_PASSWORD`, async () => {
      await assert.rejects(
        pemKeyLoader.open({ certificatePem: leaf.certPem, privateKeyPem: encryptedKeyPem, password }),
        (error: unknown) => isReposignError(error, 'KEY_BAD_PASSWORD'),
      );
    });
  }

  const failures: readonly [string, () => { certificatePem: string; privateKeyPem: string }, string][] = [
    // The client judges the certificate first: a self-signed EC certificate carries an ECDSA signature (NU3013).
    ['an EC key under its ECDSA-signed certificate', () => ({ certificatePem: ec.certPem, privateKeyPem: ec.keyPem }), 'CERTIFICATE_INVALID'],
    ['a key of another certificate', () => ({ certificatePem: leaf.certPem, privateKeyPem: unrelated.keyPem }), 'CERTIFICATE_MISMATCH'],
    ['no certificate', () => ({ certificatePem: '', privateKeyPem: leaf.keyPem }), 'KEY_LOAD_FAILED'],
    [
      'a corrupt key block',
      () => ({ certificatePem: leaf.certPem, privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }),
      'KEY_LOAD_FAILED',
    ],
  ];
  for (const [name, spec, code] of failures) {
    test(`${name} is ${code}`, async () => {
      await assert.rejects(pemKeyLoader.open(spec()), (error: unknown) => isReposignError(error) && error.code === code);
    });
  }

  test('validate names missing blocks without I/O', () => {
    assert.deepEqual(pemKeyLoader.validate({ certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem }), []);
    assert.deepEqual(
      pemKeyLoader.validate({ certificatePem: 'x', privateKeyPem: 'y' }).map((problem) => problem.path),
      ['certificatePem', 'privateKeyPem'],
    );
  });
});
