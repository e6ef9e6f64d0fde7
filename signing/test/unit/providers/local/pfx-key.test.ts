// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { isReposignError } from '../../../../src/errors.js';
import { parseCertificate } from '../../../../src/certificates/certificate.js';
import { signingProvider } from '../../../../src/index.js';
import { pfxKeyLoader } from '../../../../src/providers/local/pfx-key.js';
import { createRootCa, exportPfx, issueCertificate, runOpenssl, type PfxOptions, type TestCa, type TestCertificate } from '../../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const PASSWORD = 'pfx-pass';

let dir: string;
let ca: TestCa;
let leaf: TestCertificate;
let utf8Leaf: TestCertificate;

before(async () => {
  dir = await makeTempDir('pfx-provider');
  ca = await createRootCa(dir, { name: 'PFX Root' });
  leaf = await issueCertificate(ca, { subject: 'PFX Leaf' });
  utf8Leaf = await issueCertificate(ca, { subject: '/CN=Zoë Signing/O=Tests/C=DE' });
});
after(() => removeTempDir(dir));

async function openssl256(path: string): Promise<string> {
  return (await runOpenssl(['x509', '-in', path, '-noout', '-fingerprint', '-sha256'])).trim().replace(/^.*=/, '').replaceAll(':', '');
}

const variants: readonly [string, Omit<PfxOptions, 'password'>][] = [
  ['modern (PBES2/AES)', { legacy: false }],
  ['legacy 3DES', { legacy: true, legacyCertBags: '3des' }],
  ['legacy RC2-40', { legacy: true, legacyCertBags: 'rc2-40' }],
];

describe('pfx key loader', () => {
  test('is a key format of StoredCertificate, not a registered backend', () => {
    assert.equal(signingProvider('StoredCertificate').kind, 'StoredCertificate');
    assert.throws(() => signingProvider('pfx'), (error: unknown) => isReposignError(error, 'PROVIDER_UNKNOWN'));
  });

  for (const [name, options] of variants) {
    test(`${name} with the chain: leaf then root, leaf DER byte-identical, and it signs`, async () => {
      for (const certificate of [leaf, utf8Leaf]) {
        const path = await exportPfx(certificate, { ...options, password: PASSWORD, includeChain: [ca], fileName: `${certificate === leaf ? 'a' : 'b'}-${name.replace(/\W+/g, '-')}.pfx` });
        const key = await pfxKeyLoader.open({ pfx: await readFile(path), password: PASSWORD });
        assert.equal(key.kind, 'pfx');
        const chain = key.certificateChain();
        assert.equal(chain.length, 2);
        assert.equal(hex(chain[0]), hex(certificate.certDer), 'the leaf DER is byte-identical to the certificate file');
        assert.equal(hex(chain[1]), hex(ca.certDer), 'the root DER is byte-identical to the CA file');
        assert.equal(parseCertificate(chain[0]).fingerprintSha256.toUpperCase(), await openssl256(certificate.certPath));
        const data = Buffer.from('data');
        assert.ok(verify('sha256', data, certificate.certPem, await key.sign({ data }, 'SHA256', { signal: new AbortController().signal })));
        await key.close();
      }
    });
  }

  test('without the chain the leaf alone is returned', async () => {
    const path = await exportPfx(leaf, { legacy: false, password: PASSWORD, fileName: 'leaf-only.pfx' });
    const key = await pfxKeyLoader.open({ pfx: await readFile(path), password: PASSWORD });
    assert.deepEqual(key.certificateChain().map(hex), [hex(leaf.certDer)]);
  });

  for (const [name, options] of variants) {
    test(`${name} with a wrong or missing password is KEY_BAD_PASSWORD`, async () => {
      const pfx = await readFile(await exportPfx(leaf, { ...options, password: PASSWORD, fileName: `pw-${name.replace(/\W+/g, '-')}.pfx` }));
      for (const password of ['wrong', undefined]) {
        await assert.rejects(pfxKeyLoader.open({ pfx, password }), (error: unknown) => isReposignError(error, 'KEY_BAD_PASSWORD'));
      }
    });
  }

  test('garbage bytes are KEY_LOAD_FAILED', async () => {
    for (const pfx of [Buffer.from('this is not a pfx file'), Buffer.of(0x30, 0x03, 0x02, 0x01, 0x03)]) {
      await assert.rejects(pfxKeyLoader.open({ pfx, password: PASSWORD }), (error: unknown) => isReposignError(error, 'KEY_LOAD_FAILED'));
    }
  });

  test('a PFX without a private key is KEY_LOAD_FAILED', async () => {
    const path = `${leaf.certPath}.nokey.pfx`;
    await runOpenssl(['pkcs12', '-export', '-nokeys', '-in', leaf.certPath, '-out', path, '-passout', `pass:${PASSWORD}`]);
    await assert.rejects(pfxKeyLoader.open({ pfx: await readFile(path), password: PASSWORD }), (error: unknown) =>
      isReposignError(error, 'KEY_LOAD_FAILED'),
    );
  });

  test('validate flags an empty file', () => {
    assert.deepEqual(pfxKeyLoader.validate({ pfx: new Uint8Array(0) }).map((problem) => problem.path), ['pfx']);
    assert.deepEqual(pfxKeyLoader.validate({ pfx: Uint8Array.of(1) }), []);
  });
});
