// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { open as openFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { constants as zlibConstants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ErrorCode } from '../../../src/errors.js';
import { isReposignError } from '../../../src/errors.js';
import { PackageArchive, readNuspec, type OpenArchiveOptions } from '../../../src/archive/index.js';
import { tempDirFor } from '../../helpers/temp-dir.js';
import { ZIP64_EXTRA, buildZip, samplePackageEntries, type ZipBuilderEntry, type ZipBuilderOptions } from '../../helpers/zip-builder.js';

const SIGNATURE = { name: '.signature.p7s', data: new Uint8Array(300).fill(0x30) } satisfies ZipBuilderEntry;

async function writeTemp(t: TestContext, bytes: Uint8Array, name = 'package.nupkg'): Promise<string> {
  const path = join(await tempDirFor(t, 'archive'), name);
  await writeFile(path, bytes);
  return path;
}

async function openBytes(t: TestContext, bytes: Uint8Array, options?: OpenArchiveOptions): Promise<PackageArchive> {
  const archive = await PackageArchive.open(await writeTemp(t, bytes), options);
  t.after(() => archive.close());
  return archive;
}

/**
 * Opens `bytes` and asserts the exact ReposignError code (and NuGet code), within one second, both
 * when the package is read whole and when it is read by range.
 */
async function assertRejected(t: TestContext, bytes: Uint8Array, code: ErrorCode, nugetCode?: string, options?: OpenArchiveOptions): Promise<void> {
  const path = await writeTemp(t, bytes);
  for (const inMemoryLimit of [undefined, 0]) {
    const started = performance.now();
    await assert.rejects(PackageArchive.open(path, { ...options, inMemoryLimit }), (error: unknown) => {
      assert.ok(isReposignError(error), `expected a ReposignError, got ${String(error)}`);
      assert.equal(error.code, code, `${error.message} (inMemoryLimit ${String(inMemoryLimit)})`);
      if (nugetCode !== undefined) assert.equal(error.nugetCode, nugetCode);
      return true;
    });
    assert.ok(performance.now() - started < 1000, 'rejection took a second or more');
  }
}

function sample(options: ZipBuilderOptions = {}, extra: ZipBuilderEntry[] = []): Uint8Array {
  return buildZip([...samplePackageEntries(), ...extra], options).bytes;
}

function withU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value, true);
  return copy;
}

/** A deterministic byte generator, so the random-file cases are the same on every run. */
function pseudoRandomBytes(seed: number, length: number): Uint8Array {
  let state = seed;
  return new Uint8Array(length).map(() => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 24;
  });
}

/** A raw deflate stream of `mebibytes` MiB of zeros, built from one independently flushed 1 MiB block. */
function zeroBomb(mebibytes: number): Uint8Array {
  const block = deflateRawSync(new Uint8Array(1 << 20), { finishFlush: zlibConstants.Z_FULL_FLUSH });
  const out = new Uint8Array(block.length * mebibytes + 2);
  for (let i = 0; i < mebibytes; i++) out.set(block, i * block.length);
  out.set([0x03, 0x00], block.length * mebibytes); // final, empty fixed-Huffman block
  return out;
}

test('opens a valid package and describes every entry', async (t) => {
  const built = buildZip([...samplePackageEntries(), SIGNATURE], { comment: 'built by tests' });
  const archive = await openBytes(t, built.bytes);
  assert.equal(archive.size, built.bytes.length);
  assert.equal(archive.entries.length, 6);
  assert.equal(archive.centralDirectoryOffset, built.centralDirectoryOffset);
  assert.equal(archive.eocdOffset, built.eocdOffset);
  assert.equal(archive.centralDirectorySize, built.eocdOffset - built.centralDirectoryOffset);
  assert.equal(new TextDecoder().decode(archive.comment), 'built by tests');
  archive.entries.forEach((entry, i) => {
    assert.equal(entry.localHeaderOffset, built.entries[i]?.localHeaderOffset);
    assert.equal(entry.centralDirectoryOffset, built.entries[i]?.centralDirectoryOffset);
    const next = built.entries[i + 1]?.localHeaderOffset ?? built.centralDirectoryOffset;
    assert.equal(entry.span, next - entry.localHeaderOffset);
    assert.equal(entry.centralDirectoryRecordSize, 46 + entry.rawName.length);
  });
  assert.equal(archive.signatureEntry, archive.entries[5]);
  assert.deepEqual(await archive.readSignatureFile(), SIGNATURE.data);
  assert.equal(new TextDecoder().decode(await archive.readEntry('readme.md', 100)), 'hello from a stored entry');
  const dll = await archive.readEntry('lib/net8.0/Sample.dll', 4000);
  assert.equal(dll.length, 4000);
  assert.equal(dll[13], (13 * 7) % 251);
  assert.deepEqual(await readNuspec(archive), {
    id: 'Sample.Package',
    version: '1.2.3',
    authors: 'Reposign Tests',
    title: '',
    description: 'test package',
    summary: '',
    tags: [],
    projectUrl: '',
    iconUrl: '',
    licenseUrl: '',
    requireLicenseAcceptance: false,
    dependencyGroups: [],
    packageTypes: [],
    xml: new TextDecoder().decode(await archive.readEntry('Sample.Package.nuspec', 1 << 20)),
  });
});

test('accepts data descriptors, extra fields, entry comments and UTF-8 names', async (t) => {
  const archive = await openBytes(
    t,
    buildZip([
      { name: 'a.txt', data: 'descriptor', method: 8, dataDescriptor: true },
      { name: 'dossier/überblick.txt', data: 'utf8', utf8: true, localExtra: Uint8Array.from([0x55, 0x54, 1, 0, 7]), comment: 'c' },
    ]).bytes,
  );
  assert.equal(archive.entries[1]?.name, 'dossier/überblick.txt');
  assert.equal(archive.signatureEntry, undefined);
  assert.equal(await archive.readSignatureFile(), undefined);
  assert.equal(new TextDecoder().decode(await archive.readEntry('a.txt', 100)), 'descriptor');
  assert.equal(new TextDecoder().decode(await archive.readEntry('dossier/überblick.txt', 100)), 'utf8');
});

test('a .signature.p7s name with the UTF-8 flag is not the signature entry', async (t) => {
  const archive = await openBytes(t, sample({}, [{ ...SIGNATURE, utf8: true }]));
  assert.equal(archive.signatureEntry, undefined);
  assert.equal(archive.entries.length, 6);
});

test('rejects an empty file and random bytes as not a ZIP', async (t) => {
  await assertRejected(t, new Uint8Array(0), 'ARCHIVE_NOT_ZIP');
  for (let seed = 1; seed <= 10; seed++) {
    await assertRejected(t, pseudoRandomBytes(seed, 1 + seed * 997), 'ARCHIVE_NOT_ZIP');
  }
});

test('rejects a package truncated anywhere as truncated', async (t) => {
  const bytes = sample();
  for (let point = 1; point <= 20; point++) {
    const length = Math.floor((bytes.length * point) / 21);
    await assertRejected(t, bytes.subarray(0, length), 'ARCHIVE_TRUNCATED');
  }
  await assertRejected(t, bytes.subarray(0, bytes.length - 1), 'ARCHIVE_TRUNCATED');
  await assertRejected(t, bytes.subarray(0, 2), 'ARCHIVE_TRUNCATED');
});

test('rejects every Zip64 marker with NU3006', async (t) => {
  const built = buildZip(samplePackageEntries());
  const cases: Record<string, Uint8Array> = {
    locator: sample({ zip64Locator: true }),
    'entry count sentinel': sample({ totalEntries: 0xffff }),
    'CD size sentinel': sample({ centralDirectorySize: 0xffffffff }),
    'CD offset sentinel': sample({ centralDirectoryOffset: 0xffffffff }),
    'compressed size sentinel in a CD record': withU32(built.bytes, (built.entries[0]?.centralDirectoryOffset ?? 0) + 20, 0xffffffff),
    'local offset sentinel in a CD record': withU32(built.bytes, (built.entries[0]?.centralDirectoryOffset ?? 0) + 42, 0xffffffff),
    'extra field in a CD record': sample({}, [{ name: 'x.bin', data: 'x', centralExtra: ZIP64_EXTRA }]),
    'extra field in a local header': sample({}, [{ name: 'x.bin', data: 'x', localExtra: ZIP64_EXTRA }]),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    await t.test(name, (st) => assertRejected(st, bytes, 'ARCHIVE_ZIP64', 'NU3006'));
  }
});

test('limits the entry count to 0xFFFD besides the signature (NU3039)', async (t) => {
  const entries = (count: number): ZipBuilderEntry[] => Array.from({ length: count }, (_, i) => ({ name: `f/${i.toString(36)}` }));
  const tooMany = buildZip(entries(0xfffe)).bytes;
  await assertRejected(t, tooMany, 'ARCHIVE_TOO_MANY_ENTRIES', 'NU3039');
  await assertRejected(t, sample(), 'ARCHIVE_TOO_MANY_ENTRIES', 'NU3039', { maxEntries: 4 });

  // A legitimate maximum-size directory is parsed in full; its speed is bench:sign's business.
  const most = await openBytes(t, buildZip([...entries(0xfffd), SIGNATURE]).bytes);
  assert.equal(most.entries.length, 0xfffe);
  assert.ok(most.signatureEntry !== undefined);
});

test('rejects entry counts that disagree with the records', async (t) => {
  await assertRejected(t, sample({ totalEntries: 6 }), 'ARCHIVE_BAD_RECORD');
  await assertRejected(t, sample({ totalEntries: 4 }), 'ARCHIVE_BAD_RECORD');
  await assertRejected(t, sample({ entriesOnDisk: 4 }), 'ARCHIVE_BAD_RECORD');
});

test('rejects an EOCD signature inside the comment', async (t) => {
  const decoy = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Uint8Array(18)]);
  await assertRejected(t, sample({ comment: Uint8Array.from([...new TextEncoder().encode('note '), ...decoy]) }), 'ARCHIVE_EOCD_IN_COMMENT');
  await assertRejected(t, sample({ comment: Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Uint8Array(40)]) }), 'ARCHIVE_EOCD_IN_COMMENT');
  await assertRejected(t, sample({ comment: Uint8Array.from([0x41, 0x50, 0x4b, 0x05, 0x06]) }), 'ARCHIVE_EOCD_IN_COMMENT');
});

test('rejects structural defects with their codes', async (t) => {
  const built = buildZip(samplePackageEntries());
  const firstRecord = built.entries[0]?.centralDirectoryOffset ?? 0;
  const gapped = buildZip(samplePackageEntries(), { gapBeforeCentralDirectory: new Uint8Array(64) });
  const cases: Record<string, [Uint8Array, ErrorCode]> = {
    'multi-disk EOCD': [sample({ diskNumber: 1, centralDirectoryDisk: 1 }), 'ARCHIVE_MULTI_DISK'],
    'entry on another disk': [sample({}, [{ name: 'x', diskStart: 1 }]), 'ARCHIVE_MULTI_DISK'],
    'junk between CD and EOCD': [sample({ junkBeforeEocd: new Uint8Array(8) }), 'ARCHIVE_BAD_RECORD'],
    'CD record magic broken': [withU32(built.bytes, firstRecord, 0x12345678), 'ARCHIVE_BAD_RECORD'],
    'prefix bytes before the first local header': [sample({ prefix: new TextEncoder().encode('MZ stub') }), 'ARCHIVE_PREFIX_BYTES'],
    'CD offset outside the file': [sample({ centralDirectoryOffset: built.bytes.length + 100 }), 'ARCHIVE_OUT_OF_BOUNDS'],
    'local offset outside the file': [sample({}, [{ name: 'x', data: 'x', localHeaderOffset: 0x7fff0000 }]), 'ARCHIVE_OUT_OF_BOUNDS'],
    'local header name mismatch': [sample({}, [{ name: 'x.txt', data: 'x', localName: 'y.txt' }]), 'ARCHIVE_BAD_RECORD'],
    'local header flags mismatch': [sample({}, [{ name: 'x.txt', data: 'x', localFlags: 0x0800 }]), 'ARCHIVE_BAD_RECORD'],
    'local offset not at a local header': [withU32(gapped.bytes, (gapped.entries[4]?.centralDirectoryOffset ?? 0) + 42, gapped.centralDirectoryOffset - 40), 'ARCHIVE_BAD_RECORD'],
    'local offset inside the previous entry': [withU32(built.bytes, (built.entries[1]?.centralDirectoryOffset ?? 0) + 42, 10), 'ARCHIVE_OVERLAPPING_ENTRIES'],
    'two CD records sharing local data': [sample({}, [{ name: 'bomb', data: 'x' }, { name: 'bomb2', sharesLocalWith: 5 }]), 'ARCHIVE_OVERLAPPING_ENTRIES'],
    'data overlapping the next entry': [buildZip([{ name: 'a', data: 'aaaa', compressedSize: 200 }, { name: 'b', data: 'b' }]).bytes, 'ARCHIVE_OVERLAPPING_ENTRIES'],
    'last entry data running into the CD': [sample({}, [{ name: 'x', data: 'x', compressedSize: 5000 }]), 'ARCHIVE_OUT_OF_BOUNDS'],
    'two signature entries': [sample({}, [SIGNATURE, SIGNATURE]), 'SIGNATURE_MULTIPLE_ENTRIES'],
  };
  for (const [name, [bytes, code]] of Object.entries(cases)) {
    await t.test(name, (st) => assertRejected(st, bytes, code, code === 'SIGNATURE_MULTIPLE_ENTRIES' ? 'NU3005' : undefined));
  }
});

test('rejects a package of 4 GiB or more', async (t) => {
  const path = await writeTemp(t, new Uint8Array(0), 'huge.nupkg');
  const handle = await openFile(path, 'r+');
  await handle.truncate(0x1_0000_0000); // sparse: costs no disk
  await handle.close();
  await assert.rejects(PackageArchive.open(path), (error: unknown) => isReposignError(error, 'ARCHIVE_TOO_LARGE'));
});

test('applies the NU3005 field rules to the signature entry when it is read', async (t) => {
  const cases: Record<string, ZipBuilderEntry> = {
    compressed: { ...SIGNATURE, method: 8 },
    'data descriptor flag': { ...SIGNATURE, dataDescriptor: true },
    'external attributes': { ...SIGNATURE, externalAttributes: 0x20 },
    'sizes differ': { ...SIGNATURE, uncompressedSize: 301 },
    'local header compressed': { ...SIGNATURE, localMethod: 8 },
  };
  for (const [name, entry] of Object.entries(cases)) {
    await t.test(name, async (st) => {
      const archive = await openBytes(st, sample({}, [entry]));
      assert.ok(archive.signatureEntry !== undefined);
      await assert.rejects(archive.readSignatureFile(), (error: unknown) => {
        assert.ok(isReposignError(error, 'SIGNATURE_ENTRY_INVALID'));
        assert.equal(error.nugetCode, 'NU3005');
        return true;
      });
    });
  }
});

test('readEntry refuses bombs, unknown methods, encryption and corrupt data', async (t) => {
  const bomb = zeroBomb(1024);
  assert.ok(bomb.length < 1_200_000, `the crafted 1 GiB bomb is ${bomb.length} bytes`);
  assert.equal(inflateRawSync(zeroBomb(3)).length, 3 << 20, 'the crafted stream is valid deflate');
  const nuspec = (entry: Partial<ZipBuilderEntry>): ZipBuilderEntry[] => [{ name: 'Bomb.nuspec', method: 8, compressed: bomb, crc32: 0, ...entry }];

  const honest = await openBytes(t, buildZip(nuspec({ uncompressedSize: 0x40000000 })).bytes);
  const lying = await openBytes(t, buildZip(nuspec({ uncompressedSize: 1000 })).bytes);
  for (const archive of [honest, lying]) {
    const before = process.memoryUsage().rss;
    await assert.rejects(readNuspec(archive), (error: unknown) => isReposignError(error, 'ARCHIVE_ENTRY_TOO_LARGE'));
    assert.ok(process.memoryUsage().rss - before < 32 * 1024 * 1024, 'inflating the bomb allocated too much');
  }

  const archive = await openBytes(
    t,
    buildZip([
      { name: 'a.bz2', data: 'x', method: 12, compressed: Uint8Array.from([1, 2, 3]) },
      { name: 'secret.bin', data: 'x', flags: 0x0001 },
      { name: 'bad-crc.txt', data: 'hello', crc32: 1 },
      { name: 'bad-deflate.bin', data: 'hello', method: 8, compressed: Uint8Array.from([0xff, 0xff, 0xff]) },
      { name: 'big.txt', data: 'x'.repeat(100) },
    ]).bytes,
  );
  const rejects = async (name: string, code: ErrorCode, maxBytes = 1000): Promise<void> => {
    await assert.rejects(archive.readEntry(name, maxBytes), (error: unknown) => isReposignError(error, code));
  };
  await rejects('a.bz2', 'ARCHIVE_UNSUPPORTED_COMPRESSION');
  await rejects('secret.bin', 'ARCHIVE_UNSUPPORTED_COMPRESSION');
  await rejects('bad-crc.txt', 'ARCHIVE_ENTRY_CORRUPT');
  await rejects('bad-deflate.bin', 'ARCHIVE_ENTRY_CORRUPT');
  await rejects('big.txt', 'ARCHIVE_ENTRY_TOO_LARGE', 99);
  await rejects('missing.txt', 'ARCHIVE_ENTRY_NOT_FOUND');
});

test('a small package is read whole with its exact bytes, whether the first read covers it or not', async (t) => {
  // The first read at opening takes 256 KiB; packages around that size and well past it are completed by a second read.
  const headLength = 256 * 1024;
  const base = buildZip([...samplePackageEntries(), { name: 'content/payload.bin', data: new Uint8Array(0) }]).bytes.length;
  for (const size of [headLength - 1, headLength, headLength + 1, 1536 * 1024]) {
    const payload = new Uint8Array(size - base).map((_, i) => (i * 31) % 251);
    const bytes = buildZip([...samplePackageEntries(), { name: 'content/payload.bin', data: payload }]).bytes;
    assert.equal(bytes.length, size);
    const archive = await openBytes(t, bytes);
    assert.deepEqual(archive.bytes, bytes, `${size} bytes`);
    assert.equal(archive.size, size);
    assert.deepEqual(await archive.readEntry('content/payload.bin', size), payload, `${size} bytes`);
  }
});

test('reuseMemory: a closed archive hands its buffer to the next open, never to one still open, and a failed open gives it back', async (t) => {
  const first = await writeTemp(t, buildZip(samplePackageEntries('Reuse.First', '1.0.0')).bytes, 'first.nupkg');
  const secondBytes = buildZip([...samplePackageEntries('Reuse.Second', '2.0.0'), { name: 'content/data.bin', data: new Uint8Array(300 * 1024).fill(9), method: 0 }]).bytes;
  const second = await writeTemp(t, secondBytes, 'second.nupkg');
  const broken = await writeTemp(t, new Uint8Array(4096).fill(0x41), 'broken.nupkg');

  const a = await PackageArchive.open(first, { reuseMemory: true });
  const bufferOf = (archive: PackageArchive): ArrayBufferLike => {
    assert.ok(archive.bytes, 'read whole');
    return archive.bytes.buffer;
  };
  const shared = bufferOf(a);
  // Open at the same time: another buffer.
  const b = await PackageArchive.open(second, { reuseMemory: true });
  assert.notEqual(bufferOf(b), shared);
  assert.deepEqual(new Uint8Array(b.bytes ?? []), secondBytes);
  await b.close();
  await a.close();
  await a.close(); // closing twice gives nothing back twice

  // LIFO: the buffer a gave back last serves the next open, which sees its own bytes only.
  await assert.rejects(PackageArchive.open(broken, { reuseMemory: true }), (error: unknown) => isReposignError(error));
  const c = await PackageArchive.open(second, { reuseMemory: true });
  assert.equal(bufferOf(c), shared, 'the failed open gave the buffer back');
  assert.deepEqual(new Uint8Array(c.bytes ?? []), secondBytes);
  assert.equal((await readNuspec(c)).id, 'Reuse.Second');
  const d = await PackageArchive.open(first, { reuseMemory: true });
  assert.notEqual(bufferOf(d), shared, 'a buffer still in use is not handed out');
  await Promise.all([c.close(), d.close()]);

  // Without the option, every open has its own memory.
  const e = await PackageArchive.open(first);
  const f = await PackageArchive.open(first);
  assert.notEqual(bufferOf(e), bufferOf(f));
  assert.notEqual(bufferOf(e), shared);
  await Promise.all([e.close(), f.close()]);
});

test('an archive read by range keeps nothing of the buffer its layout was read through', async (t) => {
  // Local headers over more than one 256 KiB window, and a comment read with the EOCD region.
  const entries: ZipBuilderEntry[] = [
    ...samplePackageEntries('Range.First', '1.0.0'),
    ...Array.from({ length: 3000 }, (_, i) => ({ name: `content/file-${String(i).padStart(4, '0')}.txt`, data: new Uint8Array(90).fill(i % 251), method: 0 })),
  ];
  const first = await openBytes(t, buildZip(entries, { comment: 'first comment' }).bytes, { inMemoryLimit: 0 });
  const names = first.entries.map((entry) => entry.name);
  // A second open reads its own layout through the same pooled buffer.
  const second = await openBytes(t, buildZip(samplePackageEntries('Range.Second', '2.0.0'), { comment: 'another, longer comment' }).bytes, { inMemoryLimit: 0 });
  assert.equal(first.bytes, undefined, 'read by range');
  assert.equal(new TextDecoder().decode(first.comment), 'first comment');
  assert.deepEqual(first.entries.map((entry) => entry.name), names);
  assert.equal(first.entries.length, 3005);
  assert.equal(names[3004], 'content/file-2999.txt');
  assert.deepEqual(await first.readEntry('content/file-2999.txt', 100), new Uint8Array(90).fill(2999 % 251));
  assert.equal((await readNuspec(first)).id, 'Range.First');
  assert.equal((await readNuspec(second)).id, 'Range.Second');
  assert.equal(new TextDecoder().decode(second.comment), 'another, longer comment');
});
