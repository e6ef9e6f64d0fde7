// SPDX-License-Identifier: MIT
// A 100 MiB package: signing must stream (bounded memory) and cost about one hashing read of the file.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { PackageArchive, computePackageHash, writeSignedPackage } from '../../../src/archive/index.js';
import { tempDirFor } from '../../helpers/temp-dir.js';
import { buildZip, type ZipBuilderEntry } from '../../helpers/zip-builder.js';

const MIB = 1 << 20;
const SIZE_MIB = 100;
const BLOCK = randomBytes(MIB);

/**
 * Writes a stored `big.bin` of 100 MiB (optionally after a signature entry, which forces the streaming
 * path) without ever holding it: the builder writes the headers, the data is spliced in block by block.
 */
async function writeLargePackage(path: string, signatureFirst: boolean): Promise<void> {
  let crc = 0;
  for (let i = 0; i < SIZE_MIB; i++) crc = crc32(BLOCK, crc);
  const size = SIZE_MIB * MIB;
  const big: ZipBuilderEntry = {
    name: 'big.bin',
    compressed: new Uint8Array(0),
    crc32: crc,
    compressedSize: size,
    uncompressedSize: size,
    localCompressedSize: size,
    localUncompressedSize: size,
  };
  const entries: ZipBuilderEntry[] = signatureFirst ? [{ name: '.signature.p7s', data: new Uint8Array(2000) }, big] : [big];
  const draft = buildZip(entries);
  const splice = (draft.entries[entries.length - 1]?.localHeaderOffset ?? 0) + 30 + 'big.bin'.length;
  const built = buildZip(entries, { centralDirectoryOffset: draft.centralDirectoryOffset + size });
  const handle = await openFile(path, 'w');
  try {
    await handle.write(built.bytes.subarray(0, splice));
    for (let i = 0; i < SIZE_MIB; i++) await handle.write(BLOCK);
    await handle.write(built.bytes.subarray(splice));
  } finally {
    await handle.close();
  }
}

async function plainReadAndHash(path: string): Promise<number> {
  const started = performance.now();
  const handle = await openFile(path, 'r');
  const hasher = createHash('sha256');
  const buffer = new Uint8Array(MIB);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, MIB, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  hasher.digest();
  return performance.now() - started;
}

async function measuredSign(archive: PackageArchive, output: string): Promise<{ ms: number; rssGrowth: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  const started = performance.now();
  try {
    await writeSignedPackage(archive, output, 'SHA256', async () => new Uint8Array(9000).fill(0x30));
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  return { ms, rssGrowth: Math.max(peak, process.memoryUsage().rss) - baseline };
}

test('signing a 100 MiB package streams in bounded memory', async (t) => {
  const dir = await tempDirFor(t, 'large');
  for (const signatureFirst of [false, true]) {
    const input = join(dir, `in-${signatureFirst}.nupkg`);
    await writeLargePackage(input, signatureFirst);
    const archive = await PackageArchive.open(input);
    t.after(() => archive.close());
    const path = signatureFirst ? 'streaming (signature entry first)' : 'kernel copy (no signature)';
    const baselineMs = Math.min(await plainReadAndHash(input), await plainReadAndHash(input));
    const runs = [await measuredSign(archive, join(dir, 'out-1.nupkg')), await measuredSign(archive, join(dir, 'out-2.nupkg'))];
    const best = Math.min(...runs.map((run) => run.ms));
    const growth = Math.max(...runs.map((run) => run.rssGrowth));
    t.diagnostic(`${path}: writeSignedPackage ${best.toFixed(0)} ms vs read+SHA-256 ${baselineMs.toFixed(0)} ms (x${(best / baselineMs).toFixed(2)}), peak RSS growth ${(growth / MIB).toFixed(1)} MiB`);
    assert.ok(growth < 64 * MIB, `RSS grew by ${(growth / MIB).toFixed(1)} MiB`);

    const signed = await PackageArchive.open(join(dir, 'out-2.nupkg'));
    t.after(() => signed.close());
    assert.deepEqual(await computePackageHash(signed, 'SHA256'), await computePackageHash(archive, 'SHA256'));
    assert.equal(signed.entries[signed.entries.length - 1], signed.signatureEntry);
    assert.equal(signed.size, archive.size - (archive.signatureEntry === undefined ? 0 : 2000 + 44 + 60) + 9000 + 44 + 60);
  }
});
