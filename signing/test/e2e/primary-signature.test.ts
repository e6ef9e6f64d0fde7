// SPDX-License-Identifier: MIT
// Repository primary signatures judged by the real NuGet client: the key/hash matrix, key formats,
// re-signing, tampering and a require-mode restore from a local feed.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { main } from '../../src/cli/main.js';
import { computePackageHash, inspectPackage, PackageArchive, verifyPackage } from '../../src/index.js';
import { dotnetAvailable, packTestPackage, requireDotnet, restoreProject, verifyPackages } from '../helpers/dotnet.js';
import { writeNuGetConfig, type RepositoryTrustedSigner } from '../helpers/nuget-config.js';
import { createRootCa, createSelfSigned, exportPfx, issueCertificate, type TestCertificate } from '../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SERVICE_INDEX = 'https://feed.reposign.test/v3/index.json';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function trust(name: string, certificates: readonly TestCertificate[]): RepositoryTrustedSigner {
  return {
    kind: 'repository',
    name,
    serviceIndex: SERVICE_INDEX,
    fingerprints: certificates.map((certificate) => certificate.fingerprintSha256),
    allowUntrustedRoot: true,
  };
}

async function signWithPem(input: string, outDir: string, certificate: TestCertificate, ...extra: string[]): Promise<string> {
  const result = await cli(
    'sign', input, '--certificate-path', certificate.certPath, '--private-key-path', certificate.keyPath,
    '--v3-service-index-url', SERVICE_INDEX, '--output', outDir, ...extra,
  );
  assert.equal(result.code, 0, result.err);
  return join(outDir, input.split('/').pop()!);
}

function flipByte(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = copy[offset] ^ 0x01;
  return copy;
}

describe('repository primary signatures and the NuGet client', () => {
  let dir: string;
  let unsigned: string;
  let unsignedBytes: Buffer;
  let keys: Record<2048 | 3072 | 4096, TestCertificate>;
  let ready = false;

  before(async () => {
    ready = await dotnetAvailable();
    dir = await makeTempDir('e2e-primary');
    if (!ready) return;
    unsigned = await packTestPackage(dir, { id: 'Reposign.E2E.Primary', version: '1.2.3-beta.1' });
    unsignedBytes = await readFile(unsigned);
    keys = {
      2048: await createSelfSigned(dir, { subject: 'Reposign E2E RSA 2048', keyBits: 2048 }),
      3072: await createSelfSigned(dir, { subject: 'Reposign E2E RSA 3072', keyBits: 3072 }),
      4096: await createSelfSigned(dir, { subject: 'Reposign E2E RSA 4096', keyBits: 4096 }),
    };
  });

  after(async () => {
    await removeTempDir(dir);
  });

  test('RSA 2048/3072/4096 × SHA-256/384/512 pass dotnet nuget verify --all', async (t) => {
    if (!(await requireDotnet(t))) return;
    const signed: string[] = [];
    for (const bits of [2048, 3072, 4096] as const) {
      for (const hash of ['SHA256', 'SHA384', 'SHA512']) {
        const outDir = join(dir, `matrix-${bits}-${hash}`);
        const output = await signWithPem(unsigned, outDir, keys[bits], '--hash-algorithm', hash, '--package-owner', 'reposign');
        const ours = await verifyPackage(output, { certificateFingerprints: [keys[bits].fingerprintSha256] });
        assert.equal(ours.valid, true, JSON.stringify(ours.issues));
        assert.equal(ours.inspection?.signatures[0]?.hashAlgorithm, hash);
        signed.push(output);
      }
    }
    const config = join(dir, 'matrix.config');
    await writeNuGetConfig(config, { sources: [], trustedSigners: [trust('matrix', Object.values(keys))] });
    const result = await verifyPackages('dotnet', signed, { configFile: config });
    assert.equal(result.code, 0, result.output);
    for (const hash of ['SHA256', 'SHA384', 'SHA512']) assert.match(result.output, new RegExp(`Signature Hash Algorithm: ${hash}`));
    assert.equal(result.output.match(/Signature type: Repository/g)?.length, 9);
    assert.equal(result.output.match(/Finished with 0 errors/g)?.length, 9);
  });

  test('PFX (modern and legacy) and a CA-issued chain with an issuer+serial signer id verify', async (t) => {
    if (!(await requireDotnet(t))) return;
    const root = await createRootCa(dir, { name: 'Reposign E2E Root' });
    const leaf = await issueCertificate(root, { subject: 'Reposign E2E CA Leaf', keyBits: 2048, ski: false });
    const outputs: string[] = [];
    for (const [name, options] of [
      ['modern', { password: 'pw-modern', legacy: false }],
      ['legacy-rc2', { password: 'pw-legacy', legacy: true, legacyCertBags: 'rc2-40' as const }],
      ['legacy-3des', { password: 'pw-3des', legacy: true, legacyCertBags: '3des' as const }],
    ] as const) {
      const pfx = await exportPfx(leaf, { ...options, includeChain: [root], fileName: `${name}.pfx` });
      const outDir = join(dir, `pfx-${name}`);
      const result = await cli(
        'sign', unsigned, '--certificate-path', pfx, '--certificate-password', options.password,
        '--v3-service-index-url', SERVICE_INDEX, '--output', outDir,
      );
      assert.equal(result.code, 0, result.err);
      outputs.push(join(outDir, unsigned.split('/').pop()!));
    }
    const inspection = await inspectPackage(outputs[0]);
    assert.equal(inspection.signatures[0]?.certificate?.fingerprintSha256.toUpperCase(), leaf.fingerprintSha256);

    const config = join(dir, 'pfx.config');
    await writeNuGetConfig(config, { sources: [], trustedSigners: [trust('pfx', [leaf])] });
    const result = await verifyPackages('dotnet', outputs, { configFile: config });
    assert.equal(result.code, 0, result.output);
  });

  test('re-signing replaces the repository signature and keeps the package and content hashes', async (t) => {
    if (!(await requireDotnet(t))) return;
    const first = await signWithPem(unsigned, join(dir, 'resign-1'), keys[2048]);
    const second = join(dir, 'resign-2', 'package.nupkg');
    await mkdir(join(dir, 'resign-2'));
    await copyFile(first, second);
    const result = await cli(
      'sign', second, '--certificate-path', keys[3072].certPath, '--private-key-path', keys[3072].keyPath,
      '--v3-service-index-url', SERVICE_INDEX, '--overwrite',
    );
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /repository -> repository/);

    const inspection = await inspectPackage(second);
    assert.equal(inspection.signatures.length, 1);
    assert.equal(inspection.signatures[0]?.certificate?.fingerprintSha256.toUpperCase(), keys[3072].fingerprintSha256);

    const archive = await PackageArchive.open(second);
    try {
      for (const [algorithm, node] of [['SHA256', 'sha256'], ['SHA512', 'sha512']] as const) {
        const expected = createHash(node).update(unsignedBytes).digest();
        assert.deepEqual(Buffer.from(await computePackageHash(archive, algorithm)), expected);
      }
    } finally {
      await archive.close();
    }

    const newOnly = join(dir, 'resign-new.config');
    await writeNuGetConfig(newOnly, { sources: [], trustedSigners: [trust('new', [keys[3072]])] });
    assert.equal((await verifyPackages('dotnet', [second], { configFile: newOnly })).code, 0);
    const oldOnly = join(dir, 'resign-old.config');
    await writeNuGetConfig(oldOnly, { sources: [], trustedSigners: [trust('old', [keys[2048]])] });
    const rejected = await verifyPackages('dotnet', [second], { configFile: oldOnly });
    assert.notEqual(rejected.code, 0);
    assert.match(rejected.output, /NU3034|NU3018/);
  });

  test('tampering with an entry, the central directory or the signature is caught by both verifiers', async (t) => {
    if (!(await requireDotnet(t))) return;
    const signed = await signWithPem(unsigned, join(dir, 'tamper-source'), keys[2048]);
    const bytes = await readFile(signed);
    const archive = await PackageArchive.open(signed);
    const entry = archive.entries.find((candidate) => candidate.name.endsWith('.dll'))!;
    const signatureEntry = archive.signatureEntry!;
    const cdOffset = archive.entries.find((candidate) => candidate !== signatureEntry)!.centralDirectoryOffset;
    await archive.close();
    const signatureData = signatureEntry.localHeaderOffset + 30 + 14;
    const cases = {
      entry: flipByte(bytes, entry.localHeaderOffset + 30 + entry.rawName.length + 10),
      'central directory': flipByte(bytes, cdOffset + 16), // a CRC-32 byte of the first record
      signature: flipByte(bytes, signatureData + signatureEntry.compressedSize - 5), // inside the RSA signature value
    };
    const config = join(dir, 'tamper.config');
    await writeNuGetConfig(config, { sources: [], trustedSigners: [trust('tamper', [keys[2048]])] });
    for (const [name, tampered] of Object.entries(cases)) {
      const path = join(dir, `tampered-${name.replace(' ', '-')}.nupkg`);
      await writeFile(path, tampered);
      const ours = await verifyPackage(path);
      assert.equal(ours.valid, false, `${name}: our verify must fail`);
      const theirs = await verifyPackages('dotnet', [path], { configFile: config });
      assert.notEqual(theirs.code, 0, `${name}: dotnet nuget verify must fail\n${theirs.output}`);
      assert.match(theirs.output, /NU3008|NU3012/, name);
    }
  });

  test('require-mode restore from a local feed succeeds with our fingerprint and fails with another', async (t) => {
    if (!(await requireDotnet(t))) return;
    const feed = join(dir, 'local-feed');
    await mkdir(feed);
    await signWithPem(unsigned, feed, keys[2048]);
    const good = join(dir, 'restore-good.config');
    await writeNuGetConfig(good, {
      sources: [{ name: 'local', url: feed }],
      signatureValidationMode: 'require',
      trustedSigners: [trust('local', [keys[2048]])],
    });
    const restored = await restoreProject('dotnet', {
      dir: join(dir, 'restore-good'),
      configFile: good,
      packageRef: { id: 'Reposign.E2E.Primary', version: '1.2.3-beta.1' },
    });
    assert.equal(restored.code, 0, restored.output);
    const metadata = JSON.parse(
      await readFile(join(restored.packagesFolder, 'reposign.e2e.primary', '1.2.3-beta.1', '.nupkg.metadata'), 'utf8'),
    ) as { contentHash: string };
    // The client's contentHash of the signed package equals SHA-512 of the unsigned bytes (lock files stay valid).
    assert.equal(metadata.contentHash, createHash('sha512').update(unsignedBytes).digest('base64'));

    const wrong = join(dir, 'restore-wrong.config');
    await writeNuGetConfig(wrong, {
      sources: [{ name: 'local', url: feed }],
      signatureValidationMode: 'require',
      trustedSigners: [trust('local', [keys[3072]])],
    });
    const refused = await restoreProject('dotnet', {
      dir: join(dir, 'restore-wrong'),
      configFile: wrong,
      packageRef: { id: 'Reposign.E2E.Primary', version: '1.2.3-beta.1' },
    });
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /NU3034/);
  });
});
