// SPDX-License-Identifier: MIT
// Property-based fuzzing of the engine's parsers (zip reader, CMS signature reader, nuspec parser)
// and of the signer: seeds are real nuget.org packages and packages the engine signed; inputs are
// arbitrary mutations of them and arbitrary bytes. The property: each input parses or throws a
// ReposignError — never another exception, never a hang — and whatever the signer accepts and
// signs verifies with the signing certificate. Shared by the seeded unit run and `npm run bench:fuzz`.

import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';

import { PackageArchive, readNuspec } from '../../src/archive/index.js';
import { parseSignature } from '../../src/cms/signature-reader.js';
import { isReposignError } from '../../src/errors.js';
import { parseNuspec, repositorySignPackage, verifyPackage } from '../../src/index.js';
import { inspectArchive } from '../../src/package-verifier.js';
import type { SigningKey } from '../../src/signing-key.js';
import { nugetOrgPackages } from './nuget-fixtures.js';
import { createSelfSigned } from './pki.js';
import { buildZip, samplePackageEntries } from './zip-builder.js';
import { openTestKey } from '../unit/cms/test-signatures.js';

/** A package the mutations start from, with where its `.signature.p7s` bytes lie (if it has one). */
export interface FuzzSeed {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly signature: { readonly start: number; readonly end: number } | undefined;
}

/** Everything one fuzz run needs: seeds, a scratch folder and the key the signer uses. */
export interface FuzzContext {
  readonly dir: string;
  readonly seeds: readonly FuzzSeed[];
  readonly key: SigningKey;
  readonly fingerprint: string;
  /** Budget of one engine call; a call that takes longer is reported as a hang. */
  readonly callTimeoutMs: number;
}

/** What one input did, for the run's statistics. */
export type FuzzOutcome = 'parsed' | 'rejected' | 'signed';

const SERVICE_INDEX = 'https://fuzz.example/v3/index.json';
/** Real packages larger than this are left out: every run writes the input to disk. */
const MAX_SEED_BYTES = 400 * 1024;

/** Where the stored `.signature.p7s` bytes of `bytes` lie: local header offset + 30 + name + extra. */
async function signatureRange(path: string, bytes: Uint8Array): Promise<FuzzSeed['signature']> {
  const archive = await PackageArchive.open(path);
  try {
    const entry = archive.signatureEntry;
    if (entry === undefined) return undefined;
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const start = entry.localHeaderOffset + 30 + view.readUInt16LE(entry.localHeaderOffset + 26) + view.readUInt16LE(entry.localHeaderOffset + 28);
    return { start, end: start + entry.compressedSize };
  } finally {
    await archive.close();
  }
}

/**
 * Builds the seeds in `dir`: the small real nuget.org packages of the machine, an unsigned package,
 * and that package repository-signed by the engine with a fresh self-signed key (also returned).
 */
export async function prepareFuzzContext(dir: string, callTimeoutMs = 10_000): Promise<FuzzContext> {
  const certificate = await createSelfSigned(dir, { subject: 'Reposign Fuzz Repository', keyBits: 2048 });
  const key = await openTestKey(certificate);
  const unsignedPath = join(dir, 'seed-unsigned.nupkg');
  await writeFile(unsignedPath, buildZip(samplePackageEntries('Fuzz.Seed', '1.0.0')).bytes);
  const signedPath = join(dir, 'seed-signed.nupkg');
  await repositorySignPackage(unsignedPath, signedPath, { key, serviceIndexUrl: SERVICE_INDEX });
  const paths = [
    { name: 'engine-unsigned', path: unsignedPath },
    { name: 'engine-signed', path: signedPath },
    ...(await nugetOrgPackages()).filter((pkg) => pkg.size <= MAX_SEED_BYTES).map((pkg) => ({ name: `${pkg.id}.${pkg.version}`, path: pkg.path })),
  ];
  const seeds: FuzzSeed[] = [];
  for (const { name, path } of paths) {
    const bytes = new Uint8Array(await readFile(path));
    seeds.push({ name, bytes, signature: await signatureRange(path, bytes) });
  }
  return { dir, seeds, key, fingerprint: certificate.fingerprintSha256, callTimeoutMs };
}

/** One edit of a byte string; positions are fractions of the current length, so they fit any seed. */
export type Mutation =
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'boundary'; readonly at: number; readonly value: number };

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fraction, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fraction, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fraction, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fraction, length: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fraction, length: fc.integer({ min: 1, max: 256 }) }),
  // Lengths, counts and offsets are where parsers break: write 0x00, 0x7f, 0x80 or 0xff.
  fc.record({ kind: fc.constant('boundary' as const), at: fraction, value: fc.constantFrom(0x00, 0x7f, 0x80, 0xff) }),
);

/** Applies `mutations` in order to a copy of `bytes`. */
export function applyMutations(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out: Uint8Array = Uint8Array.from(bytes);
  for (const m of mutations) {
    const at = Math.floor(m.at * out.length);
    switch (m.kind) {
      case 'set':
      case 'boundary':
        if (at < out.length) out[at] = m.value;
        break;
      case 'flip':
        if (at < out.length) out[at] = (out[at] ?? 0) ^ (1 << m.bit);
        break;
      case 'insert':
        out = concat(out.subarray(0, at), m.bytes, out.subarray(at));
        break;
      case 'delete':
        out = concat(out.subarray(0, at), out.subarray(at + m.length));
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'duplicate':
        out = concat(out.subarray(0, at + m.length), out.subarray(at, at + m.length), out.subarray(at + m.length));
        break;
    }
  }
  return out;
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** Where the mutations of a package input land. */
export type Region = 'anywhere' | 'tail' | 'signature';

/** One fuzz input, before it is materialised from the seeds. */
export type FuzzInput =
  | { readonly kind: 'package'; readonly seed: number; readonly region: Region; readonly mutations: readonly Mutation[] }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'signature-bytes'; readonly seed: number; readonly mutations: readonly Mutation[] }
  | { readonly kind: 'nuspec'; readonly xml: string };

const NUSPEC_PIECES = [
  '<?xml version="1.0"?>', '<package>', '</package>', '<metadata>', '</metadata>', '<id>A</id>', '<version>1.0.0</version>',
  '<dependencies>', '</dependencies>', '<group targetFramework="net8.0">', '</group>', '<dependency id="B" version="[1.0,2.0)"/>',
  '<packageTypes><packageType name="Dependency"/></packageTypes>', '<!DOCTYPE x [<!ENTITY e "x">]>', '&e;', '&amp;', '&#x0;',
  '<![CDATA[', ']]>', '<!--', '-->', '<?pi?>', '<', '>', '/', '"', "'", '=', 'xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"',
];

/** The arbitrary over fuzz inputs, for `seedCount` seeds. */
export function fuzzInputs(seedCount: number): fc.Arbitrary<FuzzInput> {
  const seed = fc.integer({ min: 0, max: seedCount - 1 });
  const mutations = fc.array(mutation, { minLength: 1, maxLength: 8 });
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('package' as const), seed, region: fc.constantFrom<Region>('anywhere', 'tail', 'signature'), mutations }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 2048 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('signature-bytes' as const), seed, mutations }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('nuspec' as const),
        xml: fc.oneof(fc.string({ maxLength: 512 }), fc.array(fc.constantFrom(...NUSPEC_PIECES), { maxLength: 40 }).map((pieces) => pieces.join(''))),
      }),
    },
  );
}

/** Applies a package input's mutations to the region it names. */
function mutatePackage(seed: FuzzSeed, region: Region, mutations: readonly Mutation[]): Uint8Array {
  const bytes = seed.bytes;
  const range =
    region === 'signature' && seed.signature !== undefined
      ? seed.signature
      : region === 'tail'
        ? { start: Math.max(0, bytes.length - 4096), end: bytes.length }
        : { start: 0, end: bytes.length };
  const middle = applyMutations(bytes.subarray(range.start, range.end), mutations);
  return concat(bytes.subarray(0, range.start), middle, bytes.subarray(range.end));
}

/** Runs `call` and fails when it throws anything but a ReposignError or outlasts the budget. */
async function bounded<T>(context: FuzzContext, what: string, call: () => Promise<T> | T): Promise<{ ok: true; value: T } | { ok: false }> {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  try {
    const value = await Promise.race([
      Promise.resolve().then(call),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FuzzFailure(`${what} did not return within ${context.callTimeoutMs} ms`)), context.callTimeoutMs);
      }),
    ]);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof FuzzFailure) throw error;
    if (!isReposignError(error)) {
      throw new FuzzFailure(`${what} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} instead of a ReposignError`, { cause: error });
    }
    return { ok: false };
  } finally {
    clearTimeout(timer);
    // A synchronous parser cannot be interrupted by the timer; it is caught here once it returns.
    const elapsed = performance.now() - started;
    if (elapsed > context.callTimeoutMs) throw new FuzzFailure(`${what} took ${Math.round(elapsed)} ms (budget ${context.callTimeoutMs} ms)`);
  }
}

/** A broken property, with the reason. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

let inputCounter = 0;

/** What opening a package came to: its entries' names, or the error's code. */
async function openingVerdict(open: () => Promise<PackageArchive>): Promise<string> {
  try {
    const archive = await open();
    await archive.close();
    return `entries ${archive.entries.map((entry) => entry.name).join('|')} signature ${archive.signatureEntry?.localHeaderOffset ?? 'none'}`;
  } catch (error) {
    return isReposignError(error) ? `error ${error.code}` : `threw ${String(error)}`;
  }
}

/** A package received whole into memory is judged exactly as the same bytes in a file. */
async function checkSameFromBytes(path: string, bytes: Uint8Array): Promise<void> {
  const fromFile = await openingVerdict(() => PackageArchive.open(path));
  const fromBytes = await openingVerdict(() => PackageArchive.fromBytes(bytes));
  if (fromFile !== fromBytes) throw new FuzzFailure(`PackageArchive.fromBytes disagrees with open: ${fromBytes} vs ${fromFile}`);
}

/** Checks a package file: open, inspect, read the nuspec, verify; then sign it and verify the result. */
async function checkPackageBytes(context: FuzzContext, bytes: Uint8Array): Promise<FuzzOutcome> {
  const id = `${process.pid}-${inputCounter++}`;
  const input = join(context.dir, `in-${id}.nupkg`);
  const output = join(context.dir, `out-${id}.nupkg`);
  await writeFile(input, bytes);
  try {
    const opened = await bounded(context, 'PackageArchive.open', () => PackageArchive.open(input));
    await checkSameFromBytes(input, bytes);
    if (opened.ok) {
      const archive = opened.value;
      try {
        await bounded(context, 'inspectArchive', () => inspectArchive(archive));
        await bounded(context, 'readNuspec', () => readNuspec(archive));
        await bounded(context, 'readSignatureFile', async () => {
          const p7s = await archive.readSignatureFile();
          return p7s === undefined ? undefined : parseSignature(p7s);
        });
      } finally {
        await archive.close();
      }
    }
    const verified = await bounded(context, 'verifyPackage', () => verifyPackage(input));
    if (!verified.ok) throw new FuzzFailure('verifyPackage threw a ReposignError; it must report problems as issues');
    const signed = await bounded(context, 'repositorySignPackage', () => repositorySignPackage(input, output, { key: context.key, serviceIndexUrl: SERVICE_INDEX }));
    if (!signed.ok) return opened.ok ? 'parsed' : 'rejected';
    const written = (await stat(output)).size;
    if (signed.value.sizeBytes !== written) throw new FuzzFailure(`the signer reported ${signed.value.sizeBytes} bytes but wrote ${written}`);
    const result = await verifyPackage(output, { certificateFingerprints: [context.fingerprint] });
    if (!result.valid) {
      const errors = result.issues.filter((issue) => issue.level === 'error').map((issue) => `${issue.nugetCode} ${issue.message}`);
      throw new FuzzFailure(`the signer accepted the input but its output does not verify: ${errors.join('; ')}`);
    }
    return 'signed';
  } finally {
    await Promise.all([rm(input, { force: true }), rm(output, { force: true })]);
  }
}

/** Checks one input against the property; throws FuzzFailure when it breaks. */
export async function checkFuzzInput(context: FuzzContext, input: FuzzInput): Promise<FuzzOutcome> {
  switch (input.kind) {
    case 'package': {
      const seed = context.seeds[input.seed];
      if (seed === undefined) throw new Error(`no seed ${input.seed}`);
      return checkPackageBytes(context, mutatePackage(seed, input.region, input.mutations));
    }
    case 'bytes':
      return checkPackageBytes(context, input.bytes);
    case 'signature-bytes': {
      const signedSeeds = context.seeds.filter((candidate) => candidate.signature !== undefined);
      const seed = signedSeeds[input.seed % Math.max(1, signedSeeds.length)];
      if (seed?.signature === undefined) throw new Error('no seed carries a signature');
      const p7s = applyMutations(seed.bytes.subarray(seed.signature.start, seed.signature.end), input.mutations);
      const parsed = await bounded(context, 'parseSignature', () => parseSignature(p7s));
      return parsed.ok ? 'parsed' : 'rejected';
    }
    case 'nuspec': {
      const parsed = await bounded(context, 'parseNuspec', () => parseNuspec(input.xml));
      return parsed.ok ? 'parsed' : 'rejected';
    }
  }
}

/** Counts of each outcome over a run. */
export type FuzzTally = Record<FuzzOutcome, number>;

/** The fast-check property over {@link fuzzInputs}, counting outcomes into `tally`. */
export function engineFuzzProperty(context: FuzzContext, tally: FuzzTally): fc.IAsyncPropertyWithHooks<[FuzzInput]> {
  return fc.asyncProperty(fuzzInputs(context.seeds.length), async (input) => {
    tally[await checkFuzzInput(context, input)] += 1;
  });
}
