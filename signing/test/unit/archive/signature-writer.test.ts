// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { isReposignError } from '../../../src/errors.js';
import type { HashAlgorithmName } from '../../../src/hash-algorithm.js';
import {
  PackageArchive,
  computePackageHash,
  writeSignedPackage,
  writeUnsignedPackage,
  type ArchivePiece,
} from '../../../src/archive/index.js';
import { tempDirFor } from '../../helpers/temp-dir.js';
import { buildZip, samplePackageEntries, verifierPackageHash, type ZipBuilderEntry } from '../../helpers/zip-builder.js';

const execFileAsync = promisify(execFile);
const NODE_HASH = { SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' } as const;
const FAKE_P7S = Uint8Array.from({ length: 1234 }, (_, i) => (i * 31 + 7) % 256);

function digest(hash: HashAlgorithmName, bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(NODE_HASH[hash]).update(bytes).digest());
}

async function openPath(t: TestContext, path: string): Promise<PackageArchive> {
  const archive = await PackageArchive.open(path);
  t.after(() => archive.close());
  return archive;
}

async function materialize(archive: PackageArchive, pieces: readonly ArchivePiece[]): Promise<Uint8Array> {
  const whole = await readFile(archive.path);
  return new Uint8Array(Buffer.concat(pieces.map((piece) => (piece.kind === 'bytes' ? piece.bytes : whole.subarray(piece.start, piece.end)))));
}

/** Info-ZIP and Python's zipfile both list and CRC-check every entry. */
async function assertZipToolsAccept(path: string, entryCount: number): Promise<void> {
  await execFileAsync('unzip', ['-tq', path]);
  const { stdout } = await execFileAsync('python3', [
    '-c',
    'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(len(z.infolist()))',
    path,
  ]);
  assert.equal(Number(stdout.trim()), entryCount);
}

test('signing an unsigned package appends the entry exactly as NuGet does, and stripping restores it', async (t) => {
  const dir = await tempDirFor(t, 'writer');
  const original = buildZip(samplePackageEntries(), { comment: 'package comment' }).bytes;
  const input = join(dir, 'in.nupkg');
  await writeFile(input, original);
  const archive = await openPath(t, input);

  for (const hash of ['SHA256', 'SHA384', 'SHA512'] as const) {
    const signed = join(dir, `signed-${hash}.nupkg`);
    const seen: Uint8Array[] = [];
    const modified = new Date(2024, 4, 17, 13, 45, 58);
    await writeSignedPackage(archive, signed, hash, async (packageHash) => {
      seen.push(packageHash);
      return FAKE_P7S;
    }, { lastModified: modified });
    assert.deepEqual(seen, [digest(hash, original)]);
    assert.deepEqual(await computePackageHash(archive, hash), digest(hash, original));

    const bytes = new Uint8Array(await readFile(signed));
    const data = new DataView(bytes.buffer, bytes.byteOffset);
    const cdStart = archive.centralDirectoryOffset;
    const cdSize = archive.centralDirectorySize;
    const name = new TextEncoder().encode('.signature.p7s');
    const time = (13 << 11) | (45 << 5) | 29;
    const date = (44 << 9) | (5 << 5) | 17;
    // §2.2 local header, then the signature bytes, at the old CD offset
    const local = [0x04034b50, 20, 0, 0, time, date, crc32(FAKE_P7S), FAKE_P7S.length, FAKE_P7S.length, 14, 0];
    const localFields = [4, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2];
    let at = cdStart;
    localFields.forEach((width, i) => {
      assert.equal(width === 4 ? data.getUint32(at, true) : data.getUint16(at, true), local[i], `local header field at +${at - cdStart}`);
      at += width;
    });
    assert.deepEqual(bytes.subarray(at, at + 14), name);
    assert.deepEqual(bytes.subarray(at + 14, at + 14 + FAKE_P7S.length), FAKE_P7S);
    // the old CD unchanged, then the §2.2 CD record
    const newCd = cdStart + 44 + FAKE_P7S.length;
    assert.deepEqual(bytes.subarray(0, cdStart), original.subarray(0, cdStart));
    assert.deepEqual(bytes.subarray(newCd, newCd + cdSize), original.subarray(cdStart, cdStart + cdSize));
    const record = newCd + cdSize;
    const central = [0x02014b50, 20, 20, 0, 0, time, date, crc32(FAKE_P7S), FAKE_P7S.length, FAKE_P7S.length, 14, 0, 0, 0, 0, 0, cdStart];
    const centralFields = [4, 2, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2, 2, 2, 2, 4, 4];
    at = record;
    centralFields.forEach((width, i) => {
      assert.equal(width === 4 ? data.getUint32(at, true) : data.getUint16(at, true), central[i], `CD record field at +${at - record}`);
      at += width;
    });
    assert.deepEqual(bytes.subarray(at, at + 14), name);
    // EOCD: counts +1, size +60, offset + 44 + len(sig), comment unchanged
    const eocd = at + 14;
    const oldEocd = archive.eocdOffset;
    assert.equal(bytes.length, eocd + 22 + 15);
    assert.deepEqual(bytes.subarray(eocd, eocd + 8), original.subarray(oldEocd, oldEocd + 8));
    assert.equal(data.getUint16(eocd + 8, true), 6);
    assert.equal(data.getUint16(eocd + 10, true), 6);
    assert.equal(data.getUint32(eocd + 12, true), cdSize + 60);
    assert.equal(data.getUint32(eocd + 16, true), newCd);
    assert.deepEqual(bytes.subarray(eocd + 20), original.subarray(oldEocd + 20));

    const reopened = await openPath(t, signed);
    assert.deepEqual(await reopened.readSignatureFile(), FAKE_P7S);
    assert.deepEqual(await computePackageHash(reopened, hash), digest(hash, original));
    assert.deepEqual(verifierPackageHash(bytes, hash), digest(hash, original));
    await assertZipToolsAccept(signed, 6);

    const stripped = join(dir, `stripped-${hash}.nupkg`);
    await writeUnsignedPackage(reopened, stripped);
    assert.deepEqual(new Uint8Array(await readFile(stripped)), original);
  }
});

test('a signature entry in the middle is removed with the later offsets rebased', async (t) => {
  const dir = await tempDirFor(t, 'writer');
  const [rels, nuspec, dll, readme, types] = samplePackageEntries() as [ZipBuilderEntry, ZipBuilderEntry, ZipBuilderEntry, ZipBuilderEntry, ZipBuilderEntry];
  const signature: ZipBuilderEntry = { name: '.signature.p7s', data: FAKE_P7S };
  // local order: rels, nuspec, SIG, dll, readme, types; CD order differs from local order
  const withSignature = buildZip([rels, nuspec, signature, dll, readme, types], { centralOrder: [4, 2, 0, 5, 1, 3], comment: 'c' });
  const without = buildZip([rels, nuspec, dll, readme, types], { centralOrder: [3, 0, 4, 1, 2], comment: 'c' });
  const input = join(dir, 'middle.nupkg');
  await writeFile(input, withSignature.bytes);
  const archive = await openPath(t, input);
  assert.equal(archive.signatureEntry?.localHeaderOffset, withSignature.entries[2]?.localHeaderOffset);

  const pieces = archive.unsignedPieces();
  assert.ok(pieces.some((piece) => piece.kind === 'bytes' && piece.bytes.length === 4), 'a rebased local header offset');
  assert.deepEqual(await materialize(archive, pieces), without.bytes);
  for (const hash of ['SHA256', 'SHA512'] as const) {
    assert.deepEqual(await computePackageHash(archive, hash), verifierPackageHash(withSignature.bytes, hash));
    assert.deepEqual(await computePackageHash(archive, hash), digest(hash, without.bytes));
  }

  const unsigned = join(dir, 'unsigned.nupkg');
  await writeUnsignedPackage(archive, unsigned);
  assert.deepEqual(new Uint8Array(await readFile(unsigned)), without.bytes);
  await assertZipToolsAccept(unsigned, 5);

  // re-signing takes the streaming path and appends the new signature last
  const resigned = join(dir, 'resigned.nupkg');
  let passed: Uint8Array | undefined;
  await writeSignedPackage(archive, resigned, 'SHA256', async (packageHash) => {
    passed = packageHash;
    return Uint8Array.of(1, 2, 3);
  });
  assert.deepEqual(passed, digest('SHA256', without.bytes));
  const reopened = await openPath(t, resigned);
  assert.equal(reopened.entries[reopened.entries.length - 1], reopened.signatureEntry);
  assert.equal(reopened.signatureEntry?.localHeaderOffset, without.centralDirectoryOffset);
  assert.deepEqual(await reopened.readSignatureFile(), Uint8Array.of(1, 2, 3));
  await assertZipToolsAccept(resigned, 6);
  const restripped = join(dir, 'restripped.nupkg');
  await writeUnsignedPackage(reopened, restripped);
  assert.deepEqual(new Uint8Array(await readFile(restripped)), without.bytes);
});

test('replacing an appended signature in place keeps the package hash', async (t) => {
  const dir = await tempDirFor(t, 'writer');
  const original = buildZip(samplePackageEntries()).bytes;
  const path = join(dir, 'pkg.nupkg');
  await writeFile(path, original);
  for (const signature of [FAKE_P7S, Uint8Array.of(9, 9)]) {
    const archive = await PackageArchive.open(path);
    try {
      await writeSignedPackage(archive, path, 'SHA256', async (packageHash) => {
        assert.deepEqual(packageHash, digest('SHA256', original));
        return signature;
      });
    } finally {
      await archive.close();
    }
    const reopened = await openPath(t, path);
    assert.deepEqual(await reopened.readSignatureFile(), signature);
    assert.equal(reopened.size, original.length + 44 + signature.length + 60);
  }
  assert.deepEqual(await readdir(dir), ['pkg.nupkg']);
});

test('a failing signer or write leaves nothing behind and the target untouched', async (t) => {
  const dir = await tempDirFor(t, 'writer');
  const original = buildZip(samplePackageEntries()).bytes;
  const path = join(dir, 'pkg.nupkg');
  await writeFile(path, original);
  const archive = await openPath(t, path);
  const boom = new Error('KMS unavailable');
  await assert.rejects(writeSignedPackage(archive, join(dir, 'out.nupkg'), 'SHA256', () => Promise.reject(boom)), (error) => error === boom);
  await assert.rejects(writeSignedPackage(archive, path, 'SHA256', () => Promise.reject(boom)), (error) => error === boom);
  await assert.rejects(
    writeSignedPackage(archive, path, 'SHA256', async () => new Uint8Array(0)),
    (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'),
  );
  await assert.rejects(writeSignedPackage(archive, join(dir, 'missing', 'out.nupkg'), 'SHA256', async () => FAKE_P7S));
  assert.deepEqual(await readdir(dir), ['pkg.nupkg']);
  assert.deepEqual(new Uint8Array(await readFile(path)), original);
});

test('refuses to sign when the result would need Zip64 or a UTF-8 .signature.p7s would shadow the signature', async (t) => {
  const dir = await tempDirFor(t, 'writer');
  const many = join(dir, 'many.nupkg');
  await writeFile(many, buildZip(Array.from({ length: 0xfffe }, (_, i) => ({ name: `f/${i.toString(36)}` }))).bytes);
  const archive = await PackageArchive.open(many, { maxEntries: 0x10000 });
  t.after(() => archive.close());
  await assert.rejects(writeSignedPackage(archive, join(dir, 'out.nupkg'), 'SHA256', async () => FAKE_P7S), (error: unknown) => {
    assert.ok(isReposignError(error, 'ARCHIVE_TOO_MANY_ENTRIES'));
    assert.equal(error.nugetCode, 'NU3039');
    return true;
  });

  const shadow = join(dir, 'shadow.nupkg');
  await writeFile(shadow, buildZip([...samplePackageEntries(), { name: '.signature.p7s', data: 'x', utf8: true }]).bytes);
  const shadowed = await openPath(t, shadow);
  await assert.rejects(writeSignedPackage(shadowed, join(dir, 'out.nupkg'), 'SHA256', async () => FAKE_P7S), (error: unknown) =>
    isReposignError(error, 'SIGNATURE_ENTRY_INVALID'),
  );
  assert.deepEqual((await readdir(dir)).sort(), ['many.nupkg', 'shadow.nupkg']);
});

test('a package read whole and one read by range are written to the same bytes', async (t) => {
  const dir = await tempDirFor(t, 'writer');
  const [rels, nuspec, dll, readme, types] = samplePackageEntries() as [ZipBuilderEntry, ZipBuilderEntry, ZipBuilderEntry, ZipBuilderEntry, ZipBuilderEntry];
  const signature: ZipBuilderEntry = { name: '.signature.p7s', data: FAKE_P7S };
  const layouts = {
    unsigned: buildZip([rels, nuspec, dll, readme, types], { comment: 'c' }).bytes,
    'signature last': buildZip([rels, nuspec, dll, readme, types, signature]).bytes,
    'signature in the middle': buildZip([rels, nuspec, signature, dll, readme, types], { centralOrder: [4, 2, 0, 5, 1, 3] }).bytes,
    // More than one 1 MiB chunk, still read whole: hashed and written in chunks.
    'larger than a chunk': buildZip([rels, nuspec, { name: 'big.bin', data: randomBytes(1536 * 1024) }, readme, types]).bytes,
  };
  const lastModified = new Date(2024, 4, 6, 7, 8, 10);
  for (const [name, bytes] of Object.entries(layouts)) {
    const input = join(dir, `${name}.nupkg`);
    await writeFile(input, bytes);
    const outputs: Uint8Array[][] = [];
    for (const inMemoryLimit of [undefined, 0]) {
      const archive = await PackageArchive.open(input, { inMemoryLimit });
      t.after(() => archive.close());
      assert.equal(archive.bytes !== undefined, inMemoryLimit === undefined, `${name}: read whole only by default`);
      const signed = join(dir, `${name}-${String(inMemoryLimit)}-signed.nupkg`);
      const unsigned = join(dir, `${name}-${String(inMemoryLimit)}-unsigned.nupkg`);
      let packageHash: Uint8Array | undefined;
      await writeSignedPackage(archive, signed, 'SHA384', async (hash) => ((packageHash = hash), FAKE_P7S), { lastModified });
      await writeUnsignedPackage(archive, unsigned);
      assert.deepEqual(packageHash, await computePackageHash(archive, 'SHA384'));
      outputs.push([new Uint8Array(await readFile(signed)), new Uint8Array(await readFile(unsigned)), packageHash ?? new Uint8Array(0)]);
    }
    assert.deepEqual(outputs[0], outputs[1], name);
    await assertZipToolsAccept(join(dir, `${name}-undefined-signed.nupkg`), 6);
  }
});
