// SPDX-License-Identifier: MIT
// Every way the signing configuration can be unusable, each checked the way an operator meets it:
// the feed process refuses to start, names the key, and exits 78 (EX_CONFIG).

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { certificateShapes, materializeShapes } from '../../signing/test/helpers/certificate-shapes.js';
import { createSelfSigned, exportPfx } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { freePort, runFeedProcessToExit } from '../helpers/feed-process.js';

const EX_CONFIG = 78;
const MINUTE = 60_000;

interface Case {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly message: RegExp;
}

test('unusable signing configurations: a clear message naming the key, exit code 78', { timeout: 300_000 }, async (t) => {
  const dir = await tempDirFor(t, 'feed-config-errors');
  const pfx = async (name: string, options: Parameters<typeof createSelfSigned>[1]): Promise<string> =>
    exportPfx(await createSelfSigned(dir, options), { password: 'pw', legacy: false, fileName: `${name}.pfx` });
  const good = await pfx('good', { subject: 'Config Good', keyBits: 2048 });
  const expired = await pfx('expired', { subject: 'Config Expired', keyBits: 2048, notBefore: new Date(Date.now() - 10 * 24 * 60 * MINUTE), notAfter: new Date(Date.now() - 24 * 60 * MINUTE) });
  const expiring = await pfx('expiring', { subject: 'Config Expiring', keyBits: 2048, notBefore: new Date(Date.now() - 24 * 60 * MINUTE), notAfter: new Date(Date.now() + 3 * MINUTE) });
  const ec = await pfx('ec', { subject: 'Config EC', keyType: 'ec' });
  const short = await pfx('short', { subject: 'Config Short', keyBits: 1024 });
  const serverAuth = await pfx('server-auth', { subject: 'Config ServerAuth', keyBits: 2048, eku: 'serverAuth' });
  // The `openssl req -x509` default: CA:TRUE with a key usage that lacks keyCertSign (NU3012 in the client).
  const caShapes = await materializeShapes(join(dir, 'shapes'), certificateShapes().filter((shape) => ['self-signed-ca-true-no-keycertsign', 'root-intermediate-leaf-intermediate-no-keycertsign'].includes(shape.name)));
  const caTrue = join(dir, 'ca-true.pem');
  await writeFile(caTrue, `${await readFile(caShapes[0].chainPemPath, 'utf8')}${await readFile(caShapes[0].keyPath, 'utf8')}`);
  const badIntermediate = join(dir, 'bad-intermediate.pem');
  await writeFile(badIntermediate, `${await readFile(caShapes[1].chainPemPath, 'utf8')}${await readFile(caShapes[1].keyPath, 'utf8')}`);
  const certOnly = join(dir, 'cert-only.pem');
  await writeFile(certOnly, (await createSelfSigned(dir, { subject: 'Config NoKey', keyBits: 2048 })).certPem);

  const stored = (filePath: string, password = 'pw'): Record<string, string> => ({
    Signing__Mode: 'StoredCertificate',
    Signing__StoredCertificate__FilePath: filePath,
    Signing__StoredCertificate__Password: password,
  });
  const cases: Case[] = [
    { name: 'missing file', env: stored(join(dir, 'absent.pfx')), message: /Signing:StoredCertificate:FilePath: .*absent\.pfx does not exist/ },
    { name: 'wrong password', env: stored(good, 'not-the-password'), message: /Signing:StoredCertificate:FilePath: .*good\.pfx: the password is wrong \(it comes from Signing:StoredCertificate:Password\)/ },
    {
      name: 'wrong password through CertificatePasswordSecret',
      env: { ...stored(good), Signing__CertificatePasswordSecret: 'Secrets:Pfx', Secrets__Pfx: 'wrong' },
      message: /the password is wrong \(it comes from Secrets:Pfx \(named by Signing:CertificatePasswordSecret\)\)/,
    },
    { name: 'expired certificate', env: stored(expired), message: /Signing:StoredCertificate:FilePath: the certificate 'CN=Config Expired' .* cannot sign NuGet packages: it expired on .* \(NU3037\)/ },
    { name: 'certificate expiring within 5 minutes', env: stored(expiring), message: /Signing:StoredCertificate:FilePath: the certificate 'CN=Config Expiring' .*: it expires on .*, within 5 minutes/ },
    { name: 'EC key', env: stored(ec), message: /Signing:StoredCertificate:FilePath: .*ec\.pfx: The signing certificate 'CN=Config EC' cannot make NuGet signatures: it is signed with algorithm [\d.]+; .* \(NU3013\)/ },
    { name: '1024-bit key', env: stored(short), message: /Signing:StoredCertificate:FilePath: the certificate 'CN=Config Short' .*: its RSA key has 1024 bits; NuGet needs at least 2048 \(NU3014\)/ },
    { name: 'forbidden EKU', env: stored(serverAuth), message: /Signing:StoredCertificate:FilePath: .*does not include code signing .* \(NU3012\)/ },
    { name: 'self-signed CA:TRUE without keyCertSign', env: stored(caTrue, ''), message: /Signing:StoredCertificate:FilePath: the certificate .* in .*ca-true\.pem cannot sign NuGet packages: it is self-signed and claims CA:TRUE, but its key usage lacks keyCertSign: InvalidBasicConstraints \(NU3012\)/ },
    { name: 'intermediate without keyCertSign', env: stored(badIntermediate, ''), message: /Signing:StoredCertificate:FilePath: the certificate .* in .*bad-intermediate\.pem cannot sign NuGet packages: the issuing certificate .* has a key usage without keyCertSign: InvalidBasicConstraints \(NU3012\)/ },
    { name: 'no private key', env: stored(certOnly), message: /Signing:StoredCertificate:FilePath: .*cert-only\.pem: it holds no private key/ },
    { name: 'unknown mode', env: { Signing__Mode: 'Magic' }, message: /Signing:Mode: must be one of SelfSigned, StoredCertificate, AzureKeyVault, AwsKms, AwsSigner, GcpKms, GcpHsm, Pkcs11/ },
    {
      name: 'a mode that can never sign selected',
      env: { Signing__Mode: 'AwsSigner', Signing__AwsSigner__Region: 'us-east-1', Signing__AwsSigner__ProfileName: 'reposign' },
      message: /Signing:Mode: mode AwsSigner is not available in this version of reposign \(available: SelfSigned, StoredCertificate, [^)]*AwsKms[^)]*\)/,
    },
    {
      name: 'PKCS#11 mode selected through Provider, with a missing field',
      env: { Signing__Provider: 'Pkcs11', Signing__Pkcs11__ModulePath: '/usr/lib/softhsm/libsofthsm2.so', Signing__Pkcs11__TokenLabel: 't', Signing__Pkcs11__KeyLabel: 'k' },
      message: /Signing:Pkcs11:Pin: set Pin or PinConfigurationKey/,
    },
    { name: 'Provider contradicting Mode', env: { Signing__Mode: 'SelfSigned', Signing__Provider: 'StoredCertificate' }, message: /Signing:Provider: 'StoredCertificate' contradicts Signing:Mode 'SelfSigned'/ },
  ];
  // Two at a time: the machine has two cores and each process loads the whole feed.
  const results: { name: string; code: number | null; stderr: string; stdout: string }[] = [];
  for (let i = 0; i < cases.length; i += 2) {
    results.push(
      ...(await Promise.all(
        cases.slice(i, i + 2).map(async (c) => {
          const port = await freePort();
          const env = { Urls: `http://127.0.0.1:${port}`, Storage__Path: join(dir, 'data', c.name.replace(/\W+/g, '-')), Signing__TimestampServerUrl: '', ...c.env };
          return { name: c.name, ...(await runFeedProcessToExit(env, dir)) };
        }),
      )),
    );
  }
  for (const [index, c] of cases.entries()) {
    const result = results[index];
    assert.ok(result !== undefined);
    assert.equal(result.code, EX_CONFIG, `${c.name}: exit code\n${result.stderr}`);
    assert.match(result.stderr, c.message, c.name);
    assert.doesNotMatch(result.stdout, /reposign feed ready/, c.name);
  }
});

/** The shapes the NuGet client rejects with the root trusted, and its code, from the table the corpus test keeps in step with the client. */
async function clientRejectedShapes(): Promise<Map<string, string>> {
  const doc = await readFile(new URL('../../docs/signing.md', import.meta.url), 'utf8');
  const rejected = new Map<string, string>();
  for (const match of doc.matchAll(/^\| `([a-z0-9-]+)` \| [^|]+ \| rejected (NU\d{4})/gm)) rejected.set(match[1], match[2]);
  return rejected;
}

test('every certificate shape the NuGet client rejects keeps the feed from starting: exit 78, the key named, the client code', { timeout: 600_000 }, async (t) => {
  const rejected = await clientRejectedShapes();
  assert.ok(rejected.size >= 20, `the docs table lists ${rejected.size} rejected shapes`);
  const dir = await tempDirFor(t, 'feed-config-shapes');
  const shapes = await materializeShapes(join(dir, 'shapes'), certificateShapes().filter((shape) => rejected.has(shape.name)));
  assert.equal(shapes.length, rejected.size, 'every rejected shape in the table is still generated');
  const failures: string[] = [];
  for (let i = 0; i < shapes.length; i += 2) {
    await Promise.all(
      shapes.slice(i, i + 2).map(async (shape) => {
        const name = shape.shape.name;
        const pem = join(dir, `${name}.pem`);
        await writeFile(pem, `${await readFile(shape.chainPemPath, 'utf8')}${await readFile(shape.keyPath, 'utf8')}`);
        const port = await freePort();
        const env = {
          Urls: `http://127.0.0.1:${port}`,
          Storage__Path: join(dir, 'data', name),
          Signing__TimestampServerUrl: '',
          Signing__Mode: 'StoredCertificate',
          Signing__StoredCertificate__FilePath: pem,
        };
        // Generous: two processes at a time, each loading the whole feed, on a busy CI machine.
        const result = await runFeedProcessToExit(env, dir, 180_000).catch((error: unknown) => ({ code: null, stdout: '', stderr: String(error) }));
        const code = rejected.get(name) ?? '';
        if (result.code !== EX_CONFIG || !/Signing:StoredCertificate:FilePath: /.test(result.stderr)) {
          failures.push(`${name}: exit ${String(result.code)}\n${result.stderr}`);
        } else if (!result.stderr.includes(`(${code})`) || /reposign feed ready/.test(result.stdout)) {
          failures.push(`${name}: the client says ${code}, the feed says\n${result.stderr}`);
        }
      }),
    );
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});
