// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { isReposignError, type ErrorCode } from '../../src/errors.js';
import { PackageArchive, writeSignedPackage } from '../../src/archive/index.js';
import { parseCertificate } from '../../src/certificates/certificate.js';
import { tlvBytes } from '../../src/cms/der.js';
import { inspectPackage, repositorySignPackage, verifyPackage } from '../../src/index.js';
import { timestampTokens } from '../../src/cms/signer-verification.js';
import { createTimestamper } from '../../src/index.js';
import { readPackageSignature, signatureKind } from '../../src/package-signature.js';
import type { SigningKey } from '../../src/signing-key.js';
import { createRootCa, createSelfSigned, issueCertificate, type TestCa, type TestCertificate } from '../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { startTsa } from '../helpers/tsa-server.js';
import { buildZip, samplePackageEntries, type ZipBuilderEntry } from '../helpers/zip-builder.js';
import { createAuthorSignature, openTestKey } from './cms/test-signatures.js';

const URL = 'https://feed.example/v3/index.json';

let dir: string;
let ca: TestCa;
let repo: TestCertificate;
let other: TestCertificate;
let author: TestCertificate;
let repoKey: SigningKey;
let otherKey: SigningKey;
let authorKey: SigningKey;
let counter = 0;

before(async () => {
  dir = await makeTempDir('package-signer');
  ca = await createRootCa(dir, { name: 'Signer Root' });
  repo = await issueCertificate(ca, { subject: 'Signer Repository' });
  other = await createSelfSigned(dir, { subject: 'Signer Other' });
  author = await createSelfSigned(dir, { subject: 'Signer Author' });
  repoKey = await openTestKey(repo, [ca]);
  otherKey = await openTestKey(other);
  authorKey = await openTestKey(author);
});
after(() => removeTempDir(dir));

async function unsignedPackage(): Promise<string> {
  const path = join(dir, `unsigned-${counter++}.nupkg`);
  await writeFile(path, buildZip(samplePackageEntries()).bytes);
  return path;
}

async function authorSignedPackage(): Promise<string> {
  const input = await unsignedPackage();
  const output = join(dir, `author-${counter++}.nupkg`);
  const archive = await PackageArchive.open(input);
  try {
    await writeSignedPackage(archive, output, 'SHA256', (hash) => createAuthorSignature(hash, authorKey));
  } finally {
    await archive.close();
  }
  return output;
}

async function signatureOf(path: string) {
  const archive = await PackageArchive.open(path);
  try {
    return await readPackageSignature(archive);
  } finally {
    await archive.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('repositorySignPackage', () => {
  test('an unsigned package gets a repository primary signature that verifies', async () => {
    const input = await unsignedPackage();
    const output = join(dir, 'primary.nupkg');
    const result = await repositorySignPackage(input, output, { key: repoKey, serviceIndexUrl: URL, packageOwners: ['alice'] });
    assert.deepEqual(
      { before: result.before, after: result.after, placement: result.placement, fingerprint: result.certificate.fingerprintSha256 },
      { before: 'unsigned', after: 'repository', placement: 'primary', fingerprint: repo.fingerprintSha256.toLowerCase() },
    );
    const inspection = await inspectPackage(output);
    assert.equal(inspection.kind, 'repository');
    assert.deepEqual(inspection.signatures.map((signature) => [signature.placement, signature.type, signature.serviceIndexUrl, signature.owners]), [
      ['primary', 'repository', URL, ['alice']],
    ]);
    const verification = await verifyPackage(output);
    assert.deepEqual(verification.issues.map((issue) => `${issue.level}:${issue.nugetCode}`), ['warning:NU3027']);
    assert.equal(verification.valid, true);
    const unsignedBytes = await readFile(input);
    const signedBytes = await readFile(output);
    assert.deepEqual(signedBytes.subarray(0, buildZip(samplePackageEntries()).centralDirectoryOffset), unsignedBytes.subarray(0, buildZip(samplePackageEntries()).centralDirectoryOffset));
  });

  test('a repository-signed package is re-signed: the old signature is gone', async () => {
    const first = join(dir, 'resign-1.nupkg');
    await repositorySignPackage(await unsignedPackage(), first, { key: otherKey, serviceIndexUrl: 'https://old.example/v3/index.json' });
    const second = join(dir, 'resign-2.nupkg');
    const result = await repositorySignPackage(first, second, { key: repoKey, serviceIndexUrl: URL, hashAlgorithm: 'SHA384' });
    assert.deepEqual([result.before, result.after, result.placement], ['repository', 'repository', 'primary']);
    const signature = (await signatureOf(second))!;
    assert.equal(signature.countersignatures.length, 0);
    const fingerprints = signature.certificates.map((der) => parseCertificate(der).fingerprintSha256);
    assert.ok(!fingerprints.includes(other.fingerprintSha256.toLowerCase()), 'the old certificate is gone');
    const inspection = await inspectPackage(second);
    assert.deepEqual(inspection.signatures.map((s) => [s.serviceIndexUrl, s.hashAlgorithm, s.certificate?.fingerprintSha256]), [
      [URL, 'SHA384', repo.fingerprintSha256.toLowerCase()],
    ]);
    const archive = await PackageArchive.open(second);
    try {
      assert.equal(archive.entries.filter((entry) => entry.name === '.signature.p7s').length, 1);
    } finally {
      await archive.close();
    }
    assert.equal((await verifyPackage(second)).valid, true);
  });

  test('an author-signed package gets a repository countersignature and the author bytes stay', async () => {
    const input = await authorSignedPackage();
    const before = (await signatureOf(input))!;
    const output = join(dir, 'countersigned.nupkg');
    const result = await repositorySignPackage(input, output, { key: repoKey, serviceIndexUrl: URL });
    assert.deepEqual([result.before, result.after, result.placement], ['author', 'author+repository', 'countersignature']);
    const after = (await signatureOf(output))!;
    assert.equal(signatureKind(after), 'author+repository');
    assert.deepEqual(Buffer.from(after.content), Buffer.from(before.content));
    assert.deepEqual(Buffer.from(after.primary.signatureValue), Buffer.from(before.primary.signatureValue));
    assert.deepEqual(Buffer.from(tlvBytes(after.primary.signedAttrs!)), Buffer.from(tlvBytes(before.primary.signedAttrs!)));
    const verification = await verifyPackage(output, { certificateFingerprints: [repo.fingerprintSha256] });
    assert.equal(verification.valid, true, JSON.stringify(verification.issues));
    assert.deepEqual(verification.inspection?.signatures.map((s) => [s.placement, s.type]), [
      ['primary', 'author'],
      ['countersignature', 'repository'],
    ]);
  });

  test('a tampered author-signed package is SIGNATURE_INTEGRITY (NU3008) and nothing is written', async () => {
    const input = await authorSignedPackage();
    const bytes = await readFile(input);
    const at = bytes.indexOf('hello from a stored entry');
    assert.ok(at > 0);
    bytes[at] ^= 0x01;
    await writeFile(input, bytes);
    const output = join(dir, 'tampered-out.nupkg');
    await assert.rejects(repositorySignPackage(input, output, { key: repoKey, serviceIndexUrl: URL }), (error: unknown) =>
      isReposignError(error, 'SIGNATURE_INTEGRITY') && error.nugetCode === 'NU3008',
    );
    assert.equal(await exists(output), false);
  });

  test('a package without a root nuspec or with a broken one is refused, even when the key fails too, and nothing is written', async () => {
    // The nuspec is read while the key signs: its verdict must still come first, and a failing key must not go unobserved.
    const failingKey: SigningKey = {
      kind: 'Failing',
      revision: undefined,
      certificateChain: () => repoKey.certificateChain(),
      sign: () => Promise.reject(new Error('the key is gone')),
      close: () => Promise.resolve(),
    };
    const [rels, , dll, readme, types] = samplePackageEntries();
    const cases: { name: string; entries: ZipBuilderEntry[]; code: ErrorCode }[] = [
      { name: 'no nuspec', entries: [rels, dll, readme, types], code: 'NUSPEC_MISSING' },
      { name: 'broken nuspec', entries: [rels, { name: 'Sample.Package.nuspec', data: '<package><metadata>' }, dll, readme, types], code: 'NUSPEC_INVALID' },
    ];
    for (const { name, entries, code } of cases) {
      const input = join(dir, `${name}.nupkg`);
      await writeFile(input, buildZip(entries).bytes);
      for (const key of [repoKey, failingKey]) {
        const output = join(dir, `${name}-${key.kind}-out.nupkg`);
        await assert.rejects(repositorySignPackage(input, output, { key, serviceIndexUrl: URL }), (error: unknown) => isReposignError(error, code), `${name}, ${key.kind} key`);
        assert.equal(await exists(output), false, `${name}, ${key.kind} key`);
      }
    }
  });

  test('output path equal to the input path signs in place', async () => {
    const path = await unsignedPackage();
    const result = await repositorySignPackage(path, path, { key: repoKey, serviceIndexUrl: URL });
    assert.equal(result.after, 'repository');
    assert.equal((await inspectPackage(path)).kind, 'repository');
    assert.equal((await verifyPackage(path)).valid, true);
    const authorPath = await authorSignedPackage();
    await repositorySignPackage(authorPath, authorPath, { key: repoKey, serviceIndexUrl: URL });
    assert.equal((await inspectPackage(authorPath)).kind, 'author+repository');
  });

  test('an http service index URL or a certificate NuGet rejects writes nothing', async () => {
    const input = await unsignedPackage();
    const output = join(dir, 'refused.nupkg');
    await assert.rejects(repositorySignPackage(input, output, { key: repoKey, serviceIndexUrl: 'http://feed.example/v3/index.json' }), (error: unknown) =>
      isReposignError(error, 'INVALID_ARGUMENT'),
    );
    const serverAuth = await openTestKey(await createSelfSigned(dir, { subject: 'Server Only', eku: 'serverAuth' }));
    await assert.rejects(repositorySignPackage(input, output, { key: serverAuth, serviceIndexUrl: URL }), (error: unknown) =>
      isReposignError(error, 'CERTIFICATE_INVALID'),
    );
    assert.equal(await exists(output), false);
  });

  test('with a timestamper, the primary and the countersignature carry one token each and verify (only the author primary lacks a timestamp)', async () => {
    const tsa = await startTsa();
    try {
      const timestamper = createTimestamper({ urls: [tsa.url] });
      const primary = join(dir, 'timestamped-primary.nupkg');
      await repositorySignPackage(await unsignedPackage(), primary, { key: repoKey, serviceIndexUrl: URL, timestamper });
      const countersigned = join(dir, 'timestamped-counter.nupkg');
      await repositorySignPackage(await authorSignedPackage(), countersigned, { key: repoKey, serviceIndexUrl: URL, timestamper });
      assert.equal(tsa.requests, 2);
      const primarySignature = (await signatureOf(primary))!;
      assert.equal(timestampTokens(primarySignature.primary).length, 1);
      const counterSignature = (await signatureOf(countersigned))!;
      assert.equal(timestampTokens(counterSignature.primary).length, 0, 'the author signer gets no timestamp from us');
      assert.equal(timestampTokens(counterSignature.countersignatures[0]).length, 1);
      for (const [path, expected] of [
        [primary, []],
        [countersigned, ['NU3027 The primary signature has no timestamp.']],
      ] as const) {
        const verification = await verifyPackage(path);
        assert.deepEqual(verification.issues.map((issue) => `${issue.nugetCode} ${issue.message}`), expected, path);
        const timestamped = verification.inspection!.signatures.find((signature) => signature.type === 'repository')!;
        assert.equal(timestamped.timestamps[0]?.tsaFingerprintSha256, tsa.tsa.fingerprintSha256.toLowerCase());
      }
    } finally {
      await tsa.close();
    }
  });

  test('a certificate that expires after its key has signed is refused from then on (NU3037)', async (t) => {
    const input = await unsignedPackage();
    await repositorySignPackage(input, join(dir, 'before-expiry.nupkg'), { key: repoKey, serviceIndexUrl: URL });
    const [leafDer] = repoKey.certificateChain();
    assert.ok(leafDer);
    const leaf = parseCertificate(leafDer);
    t.mock.timers.enable({ apis: ['Date'], now: leaf.notAfter.getTime() + 1000 });
    const output = join(dir, 'after-expiry.nupkg');
    await assert.rejects(
      repositorySignPackage(input, output, { key: repoKey, serviceIndexUrl: URL }),
      (error: unknown) => isReposignError(error, 'CERTIFICATE_INVALID') && error.nugetCode === 'NU3037',
    );
    assert.equal(await exists(output), false);
    t.mock.timers.setTime(leaf.notAfter.getTime() - 1000);
    await repositorySignPackage(input, join(dir, 'back-in-time.nupkg'), { key: repoKey, serviceIndexUrl: URL });
  });

  test('keys sign off the event loop: with eight packages signed at once by a 4096-bit key, the loop keeps turning', async () => {
    const big = await openTestKey(await issueCertificate(ca, { subject: 'Signer 4096', keyBits: 4096 }), [ca]);
    let signing = 0;
    let mostAtOnce = 0;
    // Wraps the key to see when a signature is being computed; a synchronous signature would always
    // be over before the loop could turn.
    const observed: SigningKey = {
      kind: big.kind,
      certificateChain: () => big.certificateChain(),
      close: () => big.close(),
      async sign(input, hash, options) {
        mostAtOnce = Math.max(mostAtOnce, ++signing);
        try {
          return await big.sign(input, hash, options);
        } finally {
          signing--;
        }
      },
    };
    let ticking = true;
    let turnsWhileSigning = 0;
    const tick = (): void => {
      if (signing > 0) turnsWhileSigning++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const outputs = await Promise.all(
      Array.from({ length: 8 }, async (_, index) => {
        const output = join(dir, `concurrent-${index}.nupkg`);
        await repositorySignPackage(await unsignedPackage(), output, { key: observed, serviceIndexUrl: URL });
        return output;
      }),
    ).finally(() => {
      ticking = false;
    });
    assert.ok(turnsWhileSigning > 0, 'the event loop never turned while a signature was being computed');
    assert.ok(mostAtOnce > 1, `at most ${mostAtOnce} signature was computed at a time`);
    for (const output of outputs) assert.equal((await verifyPackage(output)).valid, true, output);
    await big.close();
  });
});

test('signs a package handed over in memory as it signs the same file, and leaves closing it to the caller', async () => {
  for (const input of [await unsignedPackage(), await authorSignedPackage()]) {
    const bytes = await readFile(input);
    const archive = await PackageArchive.fromBytes(bytes);
    const fromMemory = join(dir, `memory-${counter++}.nupkg`);
    const fromFile = join(dir, `file-${counter++}.nupkg`);
    const signingTime = new Date('2026-01-02T03:04:05Z');
    const memoryResult = await repositorySignPackage(archive, fromMemory, { key: repoKey, serviceIndexUrl: URL, signingTime });
    const fileResult = await repositorySignPackage(input, fromFile, { key: repoKey, serviceIndexUrl: URL, signingTime });
    assert.deepEqual(memoryResult, fileResult);
    // The archive is still usable: signing did not close it.
    assert.equal((await archive.readEntry(archive.entries[0]?.name ?? '', 1 << 20)).length, archive.entries[0]?.uncompressedSize);
    await archive.close();
    const [memorySigned, fileSigned] = await Promise.all([verifyPackage(fromMemory), verifyPackage(fromFile)]);
    assert.equal(memorySigned.valid, true);
    assert.deepEqual(memorySigned.issues, fileSigned.issues);
    // Same signing time, deterministic RSA: the .signature.p7s bytes are identical too.
    const signatureOf = async (path: string): Promise<Uint8Array | undefined> => {
      const signed = await PackageArchive.open(path);
      try {
        return await signed.readSignatureFile();
      } finally {
        await signed.close();
      }
    };
    assert.deepEqual(await signatureOf(fromMemory), await signatureOf(fromFile));
  }
});

test('the result gives the size of the signed file, on every way the writer takes', async () => {
  // Above the 2 MiB that are read whole: copied by the kernel, the tail written over the copy's end.
  const large = join(dir, `large-${counter++}.nupkg`);
  await writeFile(large, buildZip([...samplePackageEntries('Sized.Large', '1.0.0'), { name: 'content/big.bin', data: new Uint8Array(3 << 20).fill(7), method: 0 }]).bytes);
  const largeSha512 = join(dir, `large-sha512-${counter++}.nupkg`);
  await repositorySignPackage(large, largeSha512, { key: repoKey, serviceIndexUrl: URL, hashAlgorithm: 'SHA512' });
  const cases = [
    { name: 'unsigned, in memory', input: await unsignedPackage(), shorter: false },
    { name: 'author-signed, countersigned', input: await authorSignedPackage(), shorter: false },
    { name: 'large, copied', input: large, shorter: false },
    // A SHA-256 signature is shorter than the SHA-512 one it replaces: the copy is cut to size.
    { name: 'large, re-signed shorter', input: largeSha512, shorter: true },
  ];
  for (const { name, input, shorter } of cases) {
    const output = join(dir, `sized-${counter++}.nupkg`);
    const result = await repositorySignPackage(input, output, { key: repoKey, serviceIndexUrl: URL, hashAlgorithm: 'SHA256' });
    assert.equal(result.sizeBytes, (await stat(output)).size, name);
    assert.equal(result.sizeBytes < (await stat(input)).size, shorter, name);
    assert.equal((await verifyPackage(output)).valid, true, name);
  }
});

test('signing package after package from files, in turn and at once, reuses memory without mixing one package into another', async () => {
  const inputs = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const path = join(dir, `reuse-${i}-${counter++}.nupkg`);
      const payload = { name: 'content/payload.bin', data: new Uint8Array(((i % 3) + 1) * 200 * 1024).fill(i), method: 0 as const };
      await writeFile(path, buildZip([...samplePackageEntries(`Reuse.P${i}`, `1.0.${i}`), payload]).bytes);
      return path;
    }),
  );
  const signAll = (round: string, paths: readonly string[]): Promise<string[]> =>
    Promise.all(
      paths.map(async (input, i) => {
        const output = join(dir, `reuse-${round}-${i}-${counter++}.nupkg`);
        const result = await repositorySignPackage(input, output, { key: repoKey, serviceIndexUrl: URL });
        assert.deepEqual([result.id, result.version], [`Reuse.P${inputs.indexOf(input)}`, `1.0.${inputs.indexOf(input)}`]);
        return output;
      }),
    );
  const outputs: string[] = [];
  for (const input of inputs.slice(0, 4)) outputs.push(...(await signAll('turn', [input])));
  outputs.push(...(await signAll('burst', inputs)));
  for (const [i, output] of outputs.entries()) {
    const verification = await verifyPackage(output);
    assert.equal(verification.valid, true, `${output}: ${JSON.stringify(verification.issues)}`);
    const index = i < 4 ? i : i - 4;
    assert.equal(verification.inspection?.id, `Reuse.P${index}`);
    // The package hash in each signature matches its own bytes (checked by verifyPackage), and the entries are its own.
    const archive = await PackageArchive.open(output);
    try {
      const payload = await archive.readEntry('content/payload.bin', 1 << 20);
      assert.ok(payload.every((byte) => byte === index), `${output} carries the payload of package ${index}`);
    } finally {
      await archive.close();
    }
  }
});
