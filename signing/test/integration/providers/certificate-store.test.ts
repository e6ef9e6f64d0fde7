// SPDX-License-Identifier: MIT
// Keys from a certificate store that .NET's X509Store itself wrote, and PFX files we export that
// .NET and OpenSSL read back.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  describeCertificate,
  exportPfx,
  isReposignError,
  openCertificateStoreKey,
  openPfxKey,
  repositorySignPackage,
  verifyPackage,
} from '../../../src/index.js';
import { authorSign, packTestPackage, prepareTrustingSdk, requireDotnet, runDotnet } from '../../helpers/dotnet.js';
import { createSelfSigned, type TestCertificate } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { buildZip, samplePackageEntries } from '../../helpers/zip-builder.js';

const STORE_WRITER = fileURLToPath(new URL('../../fixtures/x509-store-writer', import.meta.url));

describe('PFX export and .NET certificate stores', () => {
  let dir: string;
  let certificate: TestCertificate;
  let pfx: Uint8Array;

  before(async () => {
    dir = await makeTempDir('cert-store');
    certificate = await createSelfSigned(dir, { subject: 'Reposign Store Test', keyBits: 2048 });
    pfx = exportPfx({ certificatePem: certificate.certPem, privateKeyPem: certificate.keyPem, password: 'p@ss wörd' });
    await writeFile(join(dir, 'exported.pfx'), pfx);
  });

  after(async () => {
    await removeTempDir(dir);
  });

  test('an exported PFX is PBES2/AES-256 with a SHA-256 MAC that OpenSSL and our reader open', async () => {
    const openssl = spawnSync('openssl', ['pkcs12', '-in', join(dir, 'exported.pfx'), '-info', '-noout', '-passin', 'pass:p@ss wörd'], {
      encoding: 'utf8',
    });
    assert.equal(openssl.status, 0, openssl.stderr);
    const info = `${openssl.stdout}${openssl.stderr}`;
    assert.match(info, /MAC: sha256/);
    assert.match(info, /PBES2, PBKDF2, AES-256-CBC/);
    const key = await openPfxKey({ pfx, password: 'p@ss wörd' });
    assert.equal(describeCertificate(key.certificateChain()[0]).fingerprintSha256.toUpperCase(), certificate.fingerprintSha256);
    await assert.rejects(openPfxKey({ pfx, password: 'wrong' }), (error: unknown) => isReposignError(error, 'KEY_BAD_PASSWORD'));
  });

  test('dotnet nuget sign accepts the exported PFX', async (t) => {
    if (!(await requireDotnet(t))) return;
    const sdk = await prepareTrustingSdk({ codeSigningRoots: [certificate.certPem], timestampingRoots: [] });
    try {
      const nupkg = await packTestPackage(dir, { id: 'Reposign.Pfx.Export', version: '1.0.0' });
      await authorSign(sdk.dotnet, nupkg, { pfxPath: join(dir, 'exported.pfx'), password: 'p@ss wörd' });
      const verification = await verifyPackage(nupkg, { certificateFingerprints: [certificate.fingerprintSha256] });
      assert.equal(verification.inspection?.kind, 'author');
      assert.equal(verification.valid, true, JSON.stringify(verification.issues));
    } finally {
      await sdk.dispose();
    }
  });

  test('a key that .NET X509Store put in CurrentUser\\My opens by thumbprint and signs', async (t) => {
    if (!(await requireDotnet(t))) return;
    const home = join(dir, 'home');
    // Built from a copy: dotnet writes obj/ next to the project, and the checkout stays clean.
    const project = join(dir, 'writer-src');
    await cp(STORE_WRITER, project, { recursive: true });
    const build = await runDotnet('dotnet', ['build', project, '-c', 'Release', '-o', join(dir, 'writer'), '--disable-build-servers'], {
      env: { NUGET_PACKAGES: join(dir, 'nuget-packages') },
    });
    assert.equal(build.code, 0, build.output);
    const added = await runDotnet('dotnet', [join(dir, 'writer', 'X509StoreWriter.dll'), join(dir, 'exported.pfx'), 'p@ss wörd', 'My'], {
      env: { HOME: home, DOTNET_CLI_HOME: home },
    });
    assert.equal(added.code, 0, added.output);
    const thumbprint = added.stdout.trim();
    assert.match(thumbprint, /^[0-9A-F]{40}$/);
    const storeDirectory = join(home, '.dotnet', 'corefx', 'cryptography', 'x509stores');
    assert.deepEqual(await readdir(join(storeDirectory, 'my')), [`${thumbprint}.pfx`]);

    const spaced = thumbprint.toLowerCase().replace(/(..)/g, '$1 ').trim();
    const key = await openCertificateStoreKey({ thumbprint: spaced, storeName: 'My', storeDirectory });
    assert.equal(describeCertificate(key.certificateChain()[0]).fingerprintSha256.toUpperCase(), certificate.fingerprintSha256);
    const unsigned = join(dir, 'store.nupkg');
    await writeFile(unsigned, buildZip(samplePackageEntries('Store.Signed', '1.0.0')).bytes);
    await repositorySignPackage(unsigned, join(dir, 'store-signed.nupkg'), { key, serviceIndexUrl: 'https://store.reposign.test/v3/index.json' });
    assert.equal((await verifyPackage(join(dir, 'store-signed.nupkg'), { certificateFingerprints: [certificate.fingerprintSha256] })).valid, true);

    // A thumbprint collision makes .NET write <THUMBPRINT>.1.pfx: that file is found too.
    const collided = join(dir, 'collided');
    await mkdir(join(collided, 'my'), { recursive: true });
    await copyFile(join(storeDirectory, 'my', `${thumbprint}.pfx`), join(collided, 'my', `${thumbprint}.1.pfx`));
    await openCertificateStoreKey({ thumbprint, storeName: 'MY', storeDirectory: collided });
  });

  test('missing stores, unknown thumbprints and malformed references are typed errors', async () => {
    const storeDirectory = join(dir, 'empty-stores');
    await mkdir(join(storeDirectory, 'my'), { recursive: true });
    const unknown = 'AB'.repeat(20);
    await assert.rejects(openCertificateStoreKey({ thumbprint: unknown, storeName: 'My', storeDirectory }), (error: unknown) =>
      isReposignError(error, 'KEY_NOT_FOUND'),
    );
    await assert.rejects(openCertificateStoreKey({ thumbprint: unknown, storeName: 'Root', storeDirectory }), (error: unknown) =>
      isReposignError(error, 'KEY_NOT_FOUND'),
    );
    for (const spec of [
      { thumbprint: '1234', storeName: 'My', storeDirectory },
      { thumbprint: unknown, storeName: '../etc', storeDirectory },
      { thumbprint: unknown, storeName: 'My', storeDirectory: '' },
    ]) {
      await assert.rejects(openCertificateStoreKey(spec), (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'));
    }
  });
});

