// SPDX-License-Identifier: MIT
// `npm run bench:sign`: repository-signing time per package size, reposign's repositorySignPackage
// against NuGet.Packaging's own in-process signer (SigningUtility.SignAsync, the C# console in
// nuget-packaging-signer/), with the same RSA-3072 PFX, the same packages and no timestamp, each in
// its own process after a warm-up; and against a floor measured in the same run (one RSA signature
// with the same key plus reading and hashing the file with SHA-256), and that floor plus a copy of the
// file into a new one, since a signer must also write its output while the floor writes nothing.
// For packages of up to 2 MiB, also an asynchronous bound measured in the same process: a signer with
// none of the NuGet format that keeps its I/O and its signature off the event loop, as a server must
// (seven trips through libuv's thread pool: open, read, sign, open, write, close, rename), which
// shows what the target at 100 KB leaves room for on this machine.
// Then the RSS growth while signing the largest package. Ratios, not seconds, are the targets:
// NuGet.Packaging / reposign ≥ 2× at every size, reposign ≤ 1.3× the floor at 100 KB, < 64 MB RSS
// growth at 100 MB. reposign runs on this Node and on Node 24 (the images' runtime, fetched by
// scripts/node24-path.sh): their OpenSSL versions sign RSA at very different speeds. NuGet/floor is
// about the most NuGet/reposign can reach: no signer does less than read and hash every byte and sign
// once (at large sizes reposign beats this floor, which reads and hashes one block after the other).

import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { copyFile, open, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { exportPfx, generateSelfSignedCertificate, openPfxKey, repositorySignPackage } from '@reposign/signing';
import { buildZip, samplePackageEntries } from '../signing/test/helpers/zip-builder.js';

const SIZES = [
  { label: '100 KB', bytes: 100 * 1024, runs: 15, warmUps: 5 },
  { label: '1 MB', bytes: 1024 * 1024, runs: 15, warmUps: 5 },
  { label: '10 MB', bytes: 10 * 1024 * 1024, runs: 15, warmUps: 3 },
  { label: '100 MB', bytes: 100 * 1024 * 1024, runs: 7, warmUps: 1 },
];
const PASSWORD = 'reposign bench';
const SERVICE_INDEX = 'https://bench.reposign.test/v3/index.json';
const NUGET_SIGNER = fileURLToPath(new URL('nuget-packaging-signer', import.meta.url));
const NUGET_SIGNER_DLL = join(NUGET_SIGNER, 'bin', 'Release', 'net10.0', 'NuGetPackagingSigner.dll');
/** dotnet's environment, with its temporary files (it leaves some behind) in the bench's own directory `dir`. */
function dotnetEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', TMPDIR: dir };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * The floor's read buffer, allocated once: memory a process touches for the first time costs a page
 * fault per 4 KiB, which on a virtual machine can take 10 µs or more: a new 1 MiB buffer per file
 * added up to 5 ms to the floor, work that a signer reusing its buffers does not do.
 */
const floorBuffer = new Uint8Array(1 << 20);

/** Reads the file in 1 MiB blocks and hashes it: the least any signer must do with the bytes. */
async function hashFile(path: string): Promise<Buffer> {
  const hash = createHash('sha256');
  const buffer = floorBuffer;
  const handle = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest();
}

/** The asynchronous bound reads a package whole into this buffer, allocated once like the floor's. */
const boundBuffer = Buffer.allocUnsafeSlow(2 << 20);
const signOnThreadPool = promisify(sign);

/**
 * The least a signer can take that keeps its work off the event loop, without any of the NuGet
 * format: reads the package whole (its close overlaps the rest), hashes it, signs the hash on libuv's
 * thread pool, writes the bytes and the signature to a new file with one writev, closes it and
 * renames it onto `output`. Only for packages that fit `boundBuffer`.
 */
async function signAsynchronouslyBound(input: string, output: string, privateKey: KeyObject): Promise<void> {
  const source = await open(input, 'r');
  const { bytesRead } = await source.read(boundBuffer, 0, boundBuffer.length, 0);
  const closing = source.close();
  const bytes = boundBuffer.subarray(0, bytesRead);
  const signature = await signOnThreadPool('sha256', createHash('sha256').update(bytes).digest(), privateKey);
  const temporary = `${output}.tmp`;
  const target = await open(temporary, 'wx');
  await target.writev([bytes, signature]);
  await target.close();
  await rename(temporary, output);
  await closing;
}

/** A package of about `bytes`: the sample nuspec plus one stored, incompressible payload entry. */
async function writePackage(dir: string, bytes: number): Promise<string> {
  const entries = [...samplePackageEntries('Bench.Package', '1.0.0'), { name: 'content/payload.bin', data: randomBytes(bytes), method: 0 }];
  const path = join(dir, `bench-${bytes}.nupkg`);
  await writeFile(path, buildZip(entries).bytes);
  return path;
}

interface ReposignTiming {
  readonly signMs: number;
  readonly floorMs: number;
  /** The floor plus copying the input to a new file: what a signer that writes nothing but the input bytes would take. */
  readonly floorCopyMs: number;
  /** {@link signAsynchronouslyBound}'s median; null for a package larger than its buffer. */
  readonly boundMs: number | null;
}

/**
 * In a child process: signs `input` `warmUps + runs` times with the PFX's key, each time into a new
 * file as a feed storing a new package does, and measures the floor right before each signing.
 * Prints the medians as JSON.
 */
async function timeReposign(pfxPath: string, privateKeyPath: string, input: string, runs: number, warmUps: number): Promise<void> {
  const key = await openPfxKey({ pfx: await readFile(pfxPath), password: PASSWORD });
  const privateKey: KeyObject = createPrivateKey(await readFile(privateKeyPath, 'utf8'));
  const signTimes: number[] = [];
  const floorTimes: number[] = [];
  const floorCopyTimes: number[] = [];
  const boundTimes: number[] = [];
  const bounded = (await stat(input)).size <= boundBuffer.length;
  for (let run = -warmUps; run < runs; run++) {
    const output = join(input, '..', `reposign-${run + warmUps}.nupkg`);
    let start = performance.now();
    sign('sha256', await hashFile(input), privateKey);
    const floor = performance.now() - start;
    const copy = join(input, '..', `floor-${run + warmUps}.nupkg`);
    start = performance.now();
    sign('sha256', await hashFile(input), privateKey);
    await copyFile(input, copy);
    const floorCopy = performance.now() - start;
    await rm(copy);
    if (bounded) {
      start = performance.now();
      await signAsynchronouslyBound(input, copy, privateKey);
      if (run >= 0) boundTimes.push(performance.now() - start);
      await rm(copy);
    }
    start = performance.now();
    await repositorySignPackage(input, output, { key, serviceIndexUrl: SERVICE_INDEX, hashAlgorithm: 'SHA256' });
    const elapsed = performance.now() - start;
    await rm(output);
    if (run < 0) continue;
    floorTimes.push(floor);
    floorCopyTimes.push(floorCopy);
    signTimes.push(elapsed);
  }
  await key.close();
  const timing: ReposignTiming = {
    signMs: median(signTimes),
    floorMs: median(floorTimes),
    floorCopyMs: median(floorCopyTimes),
    boundMs: bounded ? median(boundTimes) : null,
  };
  process.stdout.write(JSON.stringify(timing));
}

/**
 * In a child process: signs the package at `input` once while sampling RSS, after a warm-up
 * signing of a small package, and prints the growth in bytes. A child, so that the baseline is not
 * inflated by the benchmark's own buffers.
 */
async function measureMemory(pfxPath: string, input: string): Promise<void> {
  const key = await openPfxKey({ pfx: await readFile(pfxPath), password: PASSWORD });
  const options = { key, serviceIndexUrl: SERVICE_INDEX };
  const small = join(input, '..', 'warm-up.nupkg');
  await writeFile(small, buildZip(samplePackageEntries('Warm.Up', '1.0.0')).bytes);
  await repositorySignPackage(small, `${small}.signed`, options);
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  await repositorySignPackage(input, join(input, '..', 'memory.nupkg'), options);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  await key.close();
  process.stdout.write(String(peak - baseline));
}

function child(args: readonly string[], runtime = process.execPath): string {
  return execFileSync(runtime, ['--conditions=development', '--import', 'tsx', import.meta.filename, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
}

/** NuGet.Packaging's median for `input`, from the C# console in its own process. */
function timeNuGet(env: NodeJS.ProcessEnv, pfxPath: string, input: string, runs: number, warmUps: number): number {
  const output = execFileSync('dotnet', [NUGET_SIGNER_DLL, pfxPath, PASSWORD, SERVICE_INDEX, String(warmUps), input, String(runs)], {
    encoding: 'utf8',
    env,
  });
  const results = JSON.parse(output) as Record<string, { medianMs: number } | undefined>;
  const result = results[input];
  if (result === undefined) throw new Error(`The NuGet.Packaging signer printed no result for ${input}: ${output}`);
  return result.medianMs;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const ratio = (value: number): string => `${value.toFixed(2)}×`;

/** The runtimes reposign is timed on: this Node, and Node 24 when this is another version. */
function runtimes(): { label: string; path: string }[] {
  const here = { label: `Node ${process.versions.node} (OpenSSL ${process.versions.openssl})`, path: process.execPath };
  if (process.versions.node.startsWith('24.')) return [here];
  const node24 = execFileSync('bash', [fileURLToPath(new URL('../scripts/node24-path.sh', import.meta.url))], { encoding: 'utf8' }).trim();
  const openssl = execFileSync(node24, ['-p', 'process.versions.openssl'], { encoding: 'utf8' }).trim();
  const version = execFileSync(node24, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  return [here, { label: `Node ${version} (OpenSSL ${openssl})`, path: node24 }];
}

async function benchmark(): Promise<void> {
  const nodes = runtimes();
  const dir = await mkdtemp(join(tmpdir(), 'reposign-bench-'));
  try {
    const env = dotnetEnv(dir);
    console.log('building the NuGet.Packaging reference signer (dotnet build -c Release) ...');
    execFileSync('dotnet', ['build', NUGET_SIGNER, '-c', 'Release', '--nologo', '-v', 'quiet', '--disable-build-servers'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const certificate = await generateSelfSignedCertificate({ subject: 'CN=reposign bench', keyBits: 3072 });
    const pfxPath = join(dir, 'key.pfx');
    const privateKeyPath = join(dir, 'key.pem');
    await writeFile(pfxPath, exportPfx({ ...certificate, password: PASSWORD }));
    await writeFile(privateKeyPath, certificate.privateKeyPem);
    console.log('RSA-3072 PFX, SHA-256, no timestamp; medians; each signer in its own process after a warm-up.');
    console.log(`NuGet.Packaging runs on .NET ${execFileSync('dotnet', ['--version'], { encoding: 'utf8', env }).trim()} SDK with the system's OpenSSL.`);
    const header = ['size', 'runs', 'NuGet.Packaging', 'reposign', 'NuGet/reposign', 'floor', 'reposign/floor', 'NuGet/floor', 'floor+copy', 'reposign/(floor+copy)', 'async bound', 'bound/floor', 'NuGet/bound'];
    const widths = [8, 5, 16, 10, 15, 9, 15, 12, 11, 22, 12, 12, 12];
    const row = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' ');
    const lines = new Map(nodes.map((node) => [node.label, [] as string[]]));
    let largest = '';
    for (const size of SIZES) {
      const input = await writePackage(dir, size.bytes);
      const nuget = timeNuGet(env, pfxPath, input, size.runs, size.warmUps);
      for (const node of nodes) {
        const reposign = JSON.parse(child(['--reposign', pfxPath, privateKeyPath, input, String(size.runs), String(size.warmUps)], node.path)) as ReposignTiming;
        lines.get(node.label)?.push(
          row([size.label, String(size.runs), ms(nuget), ms(reposign.signMs), ratio(nuget / reposign.signMs), ms(reposign.floorMs), ratio(reposign.signMs / reposign.floorMs),
            ratio(nuget / reposign.floorMs), ms(reposign.floorCopyMs), ratio(reposign.signMs / reposign.floorCopyMs),
            ...(reposign.boundMs === null ? ['-', '-', '-'] : [ms(reposign.boundMs), ratio(reposign.boundMs / reposign.floorMs), ratio(nuget / reposign.boundMs)])]),
        );
      }
      if (size !== SIZES[SIZES.length - 1]) await rm(input);
      largest = input;
    }
    for (const [label, rows] of lines) console.log([`\nreposign on ${label}`, row(header), ...rows].join('\n'));
    console.log('targets: NuGet/reposign ≥ 2× at every size; reposign/floor ≤ 1.3× at 100 KB');
    console.log('async bound: read whole, hash, sign on the thread pool, write, rename, none of the NuGet format; bound/floor is the least reposign/floor can be for a signer that keeps its work off the event loop');
    const growth = Number(child(['--memory', pfxPath, largest]));
    console.log(`peak RSS growth while signing the 100 MB package: ${(growth / 1024 / 1024).toFixed(1)} MB (target < 64 MB)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--reposign') {
  const [pfxPath = '', privateKeyPath = '', input = '', runs = '', warmUps = ''] = rest;
  await timeReposign(pfxPath, privateKeyPath, input, Number(runs), Number(warmUps));
} else if (mode === '--memory') {
  const [pfxPath = '', input = ''] = rest;
  await measureMemory(pfxPath, input);
} else {
  await benchmark();
}
