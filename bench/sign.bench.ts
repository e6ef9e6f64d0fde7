// SPDX-License-Identifier: MIT
// `npm run bench:sign`: repository-signing time per package size against a floor measured in the
// same run (SHA-256 over the same bytes, streamed from the same file, plus one RSA signature with
// the same key), and the RSS growth while signing the largest package. Ratios, not seconds, are
// the targets: ≤ 1.5× at 10 MB and above, < 64 MB RSS growth at 100 MB.

import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateSelfSignedCertificate, openPemKey, repositorySignPackage } from '@reposign/signing';
import { buildZip, samplePackageEntries } from '../signing/test/helpers/zip-builder.js';

const SIZES = [
  { label: '100 KB', bytes: 100 * 1024, runs: 41 },
  { label: '1 MB', bytes: 1024 * 1024, runs: 31 },
  { label: '10 MB', bytes: 10 * 1024 * 1024, runs: 31 },
  { label: '100 MB', bytes: 100 * 1024 * 1024, runs: 9 },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function hashFile(path: string): Promise<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest();
}

/** A package of about `bytes`: the sample nuspec plus one stored, incompressible payload entry. */
async function writePackage(dir: string, bytes: number): Promise<string> {
  const entries = [...samplePackageEntries('Bench.Package', '1.0.0'), { name: 'content/payload.bin', data: randomBytes(bytes), method: 0 }];
  const path = join(dir, `bench-${bytes}.nupkg`);
  await writeFile(path, buildZip(entries).bytes);
  return path;
}

/**
 * Run in a child process so that the RSS baseline is not inflated by the benchmark's own buffers:
 * signs the package at `input` once while sampling RSS, and prints the growth in bytes.
 */
async function measureMemory(input: string, output: string): Promise<void> {
  const certificate = await generateSelfSignedCertificate({ subject: 'CN=reposign bench', keyBits: 3072 });
  const key = await openPemKey(certificate);
  const options = { key, serviceIndexUrl: 'https://bench.reposign.test/v3/index.json' };
  const small = join(output, '..', 'warm-up.nupkg');
  await writeFile(small, buildZip(samplePackageEntries('Warm.Up', '1.0.0')).bytes);
  await repositorySignPackage(small, `${small}.signed`, options);
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  await repositorySignPackage(input, output, options);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(String(peak - baseline));
}

async function benchmark(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'reposign-bench-'));
  try {
    const certificate = await generateSelfSignedCertificate({ subject: 'CN=reposign bench', keyBits: 3072 });
    const key = await openPemKey(certificate);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const options = { key, serviceIndexUrl: 'https://bench.reposign.test/v3/index.json', hashAlgorithm: 'SHA256' as const };
    console.log('size     runs  sign median   floor median   ratio   (RSA-3072, SHA-256, no timestamp)');
    let largest = '';
    for (const size of SIZES) {
      const input = await writePackage(dir, size.bytes);
      const signTimes: number[] = [];
      const floorTimes: number[] = [];
      for (let run = -1; run < size.runs; run++) {
        // Each run writes a new file, as a feed storing a new package does: replacing an existing file
        // makes ext4 flush the new data before the rename (auto_da_alloc), a cost of the filesystem.
        const output = join(dir, `signed-${run}.nupkg`);
        let start = performance.now();
        const digest = await hashFile(input);
        sign('sha256', digest, privateKey);
        const floor = performance.now() - start;
        start = performance.now();
        await repositorySignPackage(input, output, options);
        const elapsed = performance.now() - start;
        await rm(output);
        if (run < 0) continue; // warm-up
        floorTimes.push(floor);
        signTimes.push(elapsed);
      }
      const signMedian = median(signTimes);
      const floorMedian = median(floorTimes);
      console.log(
        `${size.label.padEnd(8)} ${String(size.runs).padStart(4)}  ${signMedian.toFixed(1).padStart(8)} ms  ${floorMedian.toFixed(1).padStart(10)} ms   ${(signMedian / floorMedian).toFixed(2)}×`,
      );
      largest = input;
    }
    const growth = Number(
      execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--memory', largest, join(dir, 'memory.nupkg')], {
        encoding: 'utf8',
      }),
    );
    console.log(`peak RSS growth while signing the 100 MB package: ${(growth / 1024 / 1024).toFixed(1)} MB (target < 64 MB)`);
    await key.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const memoryFlag = process.argv.indexOf('--memory');
if (memoryFlag > 0) {
  await measureMemory(process.argv[memoryFlag + 1], process.argv[memoryFlag + 2]);
} else {
  await benchmark();
}
