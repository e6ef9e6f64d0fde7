// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { main } from '../../../src/cli/main.js';
import { verifyPackage } from '../../../src/index.js';
import { createSelfSigned, exportPfx, type TestCertificate } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { buildZip, samplePackageEntries } from '../../helpers/zip-builder.js';

const URL = 'https://feed.example/v3/index.json';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function run(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function assertNoStack(result: Run): void {
  assert.doesNotMatch(result.out + result.err, /\n\s+at /, 'no stack trace');
}

let dir: string;
let certificate: TestCertificate;
let pemPath: string;
let pfxPath: string;
let unsigned: string;
let signed: string;

before(async () => {
  dir = await makeTempDir('cli');
  certificate = await createSelfSigned(dir, { subject: 'CLI Repository' });
  pemPath = join(dir, 'key-and-cert.pem');
  await writeFile(pemPath, certificate.certPem + certificate.keyPem);
  pfxPath = await exportPfx(certificate, { legacy: false, password: 'pw', fileName: 'cli.pfx' });
  unsigned = join(dir, 'Cli.Package.1.0.0.nupkg');
  await writeFile(unsigned, buildZip(samplePackageEntries('Cli.Package', '1.0.0')).bytes);
  const result = await run('sign', unsigned, '--certificate-path', pemPath, '--v3-service-index-url', URL, '--output', join(dir, 'signed'));
  assert.equal(result.code, 0, result.err);
  signed = join(dir, 'signed', 'Cli.Package.1.0.0.nupkg');
});
after(() => removeTempDir(dir));

describe('reposign help and usage errors', () => {
  test('--help prints the command list and exits 0; no arguments exits 2', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run(flag);
      assert.equal(result.code, 0);
      assert.match(result.out, /^Usage: reposign <command> \[options\]/);
      assert.match(result.out, /sign {6}repository-sign packages/);
    }
    const bare = await run();
    assert.equal(bare.code, 2);
    assert.match(bare.out, /^Usage: reposign/);
  });

  for (const [command, usage] of [
    ['sign', /^Usage: reposign sign <package-path>\.\.\. --certificate-path/],
    ['verify', /^Usage: reposign verify <package-path>\.\.\./],
    ['inspect', /^Usage: reposign inspect <package-path> \[--json\]/],
  ] as const) {
    test(`${command} --help prints its usage and exits 0`, async () => {
      const result = await run(command, '--help');
      assert.equal(result.code, 0);
      assert.match(result.out, usage);
      assert.equal(result.err, '');
    });
  }

  test('an unknown command exits 2 and names it', async () => {
    const result = await run('publish', 'x.nupkg');
    assert.equal(result.code, 2);
    assert.match(result.err, /Unknown command 'publish'/);
  });

  test('sign without --output or --overwrite, or with both, exits 2 with a message and the usage', async () => {
    const base = ['sign', unsigned, '--certificate-path', pemPath, '--v3-service-index-url', URL];
    for (const extra of [[], ['--output', join(dir, 'x'), '--overwrite']]) {
      const result = await run(...base, ...extra);
      assert.equal(result.code, 2);
      assert.match(result.err, /^error: Give exactly one of --output <dir> and --overwrite\./);
      assert.match(result.err, /Usage: reposign sign/);
    }
  });

  test('unknown flags, a missing service index URL and a bad hash algorithm exit 2', async () => {
    const cases: readonly (readonly string[])[] = [
      ['sign', unsigned, '--certificate-path', pemPath, '--v3-service-index-url', URL, '--overwrite', '--bogus'],
      ['sign', unsigned, '--certificate-path', pemPath, '--overwrite'],
      ['sign', unsigned, '--certificate-path', pemPath, '--v3-service-index-url', URL, '--overwrite', '--hash-algorithm', 'MD5'],
      ['verify'],
      ['inspect', 'a.nupkg', 'b.nupkg'],
    ];
    for (const argv of cases) {
      const result = await run(...argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.err, /^error: /);
      assertNoStack(result);
    }
  });

  test('a wrong PFX password exits 2', async () => {
    const result = await run('sign', unsigned, '--certificate-path', pfxPath, '--certificate-password', 'nope', '--v3-service-index-url', URL, '--output', join(dir, 'pfx-bad'));
    assert.equal(result.code, 2);
    assert.match(result.err, /PFX password is wrong/);
  });
});

describe('reposign sign, verify and inspect', () => {
  test('sign wrote a package that verifies', async () => {
    const verification = await verifyPackage(signed, { certificateFingerprints: [certificate.fingerprintSha256] });
    assert.equal(verification.valid, true, JSON.stringify(verification.issues));
    assert.deepEqual(await readFile(unsigned), Buffer.from(buildZip(samplePackageEntries('Cli.Package', '1.0.0')).bytes), 'the input is untouched');
  });

  test('sign --overwrite with a PFX, owners and SHA512 reports what it did', async () => {
    const path = join(dir, 'overwrite.nupkg');
    await writeFile(path, buildZip(samplePackageEntries('Cli.Overwrite', '3.0.0')).bytes);
    const result = await run(
      'sign', path, '--certificate-path', pfxPath, '--certificate-password', 'pw', '--v3-service-index-url', URL,
      '--overwrite', '--package-owner', 'alice', '--package-owner', 'bob', '--hash-algorithm', 'sha-512',
    );
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, new RegExp(`^Signed .*overwrite\\.nupkg \\(unsigned -> repository, repository primary\\) with certificate ${certificate.fingerprintSha256} -> `));
    const inspected = await run('inspect', path, '--json');
    const json = JSON.parse(inspected.out) as { signatures: { hashAlgorithm: string; owners: string[] }[] };
    assert.deepEqual([json.signatures[0].hashAlgorithm, json.signatures[0].owners], ['SHA512', ['alice', 'bob']]);
  });

  test('verify exits 0 for a signed package and 1 for an unsigned one', async () => {
    const good = await run('verify', '--all', signed);
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /Successfully verified package 'Cli\.Package\.1\.0\.0'\./);
    assert.match(good.out, /warning: NU3027/);
    const bad = await run('verify', unsigned);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /error: NU3004/);
    const both = await run('verify', signed, unsigned);
    assert.equal(both.code, 1);
  });

  test('verify --certificate-fingerprint: a match exits 0, a mismatch 1 with NU3034', async () => {
    assert.equal((await run('verify', signed, '--certificate-fingerprint', certificate.fingerprintSha256.toLowerCase())).code, 0);
    const mismatch = await run('verify', signed, '--certificate-fingerprint', 'CD'.repeat(32));
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.out, /error: NU3034/);
  });

  test('verify --json is an array of results', async () => {
    const result = await run('verify', signed, '--json');
    const json = JSON.parse(result.out) as { valid: boolean; issues: { nugetCode: string }[] }[];
    assert.equal(json.length, 1);
    assert.equal(json[0].valid, true);
    assert.deepEqual(json[0].issues.map((issue) => issue.nugetCode), ['NU3027']);
  });

  test('inspect --json parses as JSON with the kind and the fingerprint', async () => {
    const result = await run('inspect', signed, '--json');
    assert.equal(result.code, 0);
    const json = JSON.parse(result.out) as {
      id: string;
      kind: string;
      signatures: { type: string; placement: string; serviceIndexUrl: string; signingTime: string; certificate: { fingerprintSha256: string; der: string } }[];
    };
    assert.equal(json.id, 'Cli.Package');
    assert.equal(json.kind, 'repository');
    const [signature] = json.signatures;
    assert.deepEqual([signature.type, signature.placement, signature.serviceIndexUrl], ['repository', 'primary', URL]);
    assert.equal(signature.certificate.fingerprintSha256, certificate.fingerprintSha256.toLowerCase());
    assert.equal(signature.certificate.der, Buffer.from(certificate.certDer).toString('base64'));
    assert.ok(!Number.isNaN(Date.parse(signature.signingTime)));
  });

  test('inspect prints the signature tree', async () => {
    const result = await run('inspect', signed);
    assert.equal(result.code, 0);
    assert.match(result.out, /^Cli\.Package 1\.0\.0: repository\n {2}repository primary signature \(SHA256\)\n {4}Subject: CN=CLI Repository/);
    assert.match(result.out, new RegExp(`SHA256 fingerprint: ${certificate.fingerprintSha256}`));
  });
});

describe('bad package paths', () => {
  const missing = (): string => join(dir, 'missing', 'nothing.nupkg');

  test('verify of a missing file exits 1 with a clear error and no stack trace', async () => {
    const result = await run('verify', missing());
    assert.equal(result.code, 1);
    assert.match(result.out + result.err, /nothing\.nupkg/);
    assertNoStack(result);
  });

  test('inspect of a missing file exits 1 or 2 with a clear error and no stack trace', async () => {
    const result = await run('inspect', missing());
    assert.ok(result.code === 1 || result.code === 2, String(result.code));
    assert.match(result.err, /^error: .*nothing\.nupkg/);
    assertNoStack(result);
  });

  test('sign of a missing file exits 1 with a clear error and no stack trace', async () => {
    const result = await run('sign', missing(), '--certificate-path', pemPath, '--v3-service-index-url', URL, '--output', join(dir, 'out-missing'));
    assert.equal(result.code, 1);
    assert.match(result.err, /^error: .*nothing\.nupkg/);
    assertNoStack(result);
  });

  test('a file that is not a zip: verify exits 1, sign exits 1, inspect exits 1', async () => {
    const path = join(dir, 'text.nupkg');
    await writeFile(path, 'not a zip');
    assert.equal((await run('verify', path)).code, 1);
    const sign = await run('sign', path, '--certificate-path', pemPath, '--v3-service-index-url', URL, '--output', join(dir, 'out-text'));
    assert.equal(sign.code, 1);
    assert.match(sign.err, /^error: .*text\.nupkg/);
    const inspect = await run('inspect', path);
    assert.equal(inspect.code, 1);
    assertNoStack(inspect);
  });
});
