// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { repositorySignPackage, verifyPackage } from '../../src/index.js';
import type { SigningKey } from '../../src/signing-key.js';
import { createSelfSigned, type TestCertificate } from '../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { buildZip, samplePackageEntries } from '../helpers/zip-builder.js';
import { openTestKey } from './cms/test-signatures.js';

let dir: string;
let certificate: TestCertificate;
let key: SigningKey;
let unsigned: string;
let signed: string;

before(async () => {
  dir = await makeTempDir('package-verifier');
  certificate = await createSelfSigned(dir, { subject: 'Verifier Repository' });
  key = await openTestKey(certificate);
  unsigned = join(dir, 'unsigned.nupkg');
  await writeFile(unsigned, buildZip(samplePackageEntries('Verify.Me', '2.0.0')).bytes);
  signed = join(dir, 'signed.nupkg');
  await repositorySignPackage(unsigned, signed, { key, serviceIndexUrl: 'https://feed.example/v3/index.json' });
});
after(() => removeTempDir(dir));

const codes = (result: Awaited<ReturnType<typeof verifyPackage>>): string[] =>
  result.issues.map((issue) => `${issue.level}:${issue.nugetCode}`);

describe('verifyPackage', () => {
  test('a repository-signed package without timestamp is valid with only the NU3027 warning', async () => {
    const result = await verifyPackage(signed);
    assert.equal(result.valid, true);
    assert.deepEqual(codes(result), ['warning:NU3027']);
    assert.deepEqual([result.inspection?.id, result.inspection?.version, result.inspection?.kind], ['Verify.Me', '2.0.0', 'repository']);
  });

  test('an unsigned package is NU3004', async () => {
    const result = await verifyPackage(unsigned);
    assert.equal(result.valid, false);
    assert.deepEqual(codes(result), ['error:NU3004']);
    assert.equal(result.inspection?.kind, 'unsigned');
  });

  test('a flipped entry byte is NU3008', async () => {
    const bytes = await readFile(signed);
    const at = bytes.indexOf('hello from a stored entry');
    bytes[at + 3] ^= 0x20;
    const tampered = join(dir, 'tampered.nupkg');
    await writeFile(tampered, bytes);
    const result = await verifyPackage(tampered);
    assert.equal(result.valid, false);
    assert.ok(codes(result).includes('error:NU3008'), codes(result).join());
  });

  const matching = (): string[] => {
    const upper = certificate.fingerprintSha256;
    return [upper, upper.toLowerCase(), upper.match(/../g)!.join(':'), ` ${upper.toLowerCase().match(/../g)!.join(':')} `];
  };

  test('a matching fingerprint passes in any case and with colons', async () => {
    for (const fingerprint of matching()) {
      const result = await verifyPackage(signed, { certificateFingerprints: [fingerprint] });
      assert.equal(result.valid, true, fingerprint);
    }
    const withOthers = await verifyPackage(signed, { certificateFingerprints: ['00'.repeat(32), certificate.fingerprintSha256] });
    assert.equal(withOthers.valid, true);
  });

  test('fingerprints that do not match are NU3034', async () => {
    const result = await verifyPackage(signed, { certificateFingerprints: ['AB'.repeat(32)] });
    assert.equal(result.valid, false);
    assert.deepEqual(codes(result), ['warning:NU3027', 'error:NU3034']);
  });

  test('a file that is not a zip is reported as an issue, not thrown', async () => {
    const path = join(dir, 'not-a-zip.nupkg');
    await writeFile(path, 'hello');
    const result = await verifyPackage(path);
    assert.equal(result.valid, false);
    assert.equal(result.inspection, undefined);
    assert.equal(result.issues.length, 1);
  });

  test('a missing file is reported as an issue, not thrown', async () => {
    const result = await verifyPackage(join(dir, 'does-not-exist.nupkg'));
    assert.equal(result.valid, false);
    assert.equal(result.inspection, undefined);
  });
});
