// SPDX-License-Identifier: MIT
// Seeded mutation fuzzing of a signed package: whatever bytes arrive, verify and sign end in a
// result or a ReposignError, quickly, and never write a package that does not verify.

import assert from 'node:assert/strict';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { isReposignError, openPemKey, repositorySignPackage, verifyPackage, type SigningKey } from '../../src/index.js';
import { nugetOrgPackages } from '../helpers/nuget-fixtures.js';
import { createSelfSigned } from '../helpers/pki.js';
import { tempDirFor } from '../helpers/temp-dir.js';
import { buildZip, samplePackageEntries } from '../helpers/zip-builder.js';

/** xorshift32: a reproducible stream of numbers from a seed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/** Reproducible filler, so the archive's layout is the same in every run. */
function seededBytes(length: number, seed: number): Buffer {
  const next = random(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
}

function mutate(source: Buffer, next: () => number): Buffer {
  const bytes = Buffer.from(source);
  const kind = Math.floor(next() * 4);
  const at = Math.floor(next() * bytes.length);
  if (kind === 0) bytes[at] = Math.floor(next() * 256);
  if (kind === 1) for (let i = 0; i < 8; i++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
  if (kind === 2) return bytes.subarray(0, at);
  if (kind === 3) bytes.writeUInt32LE(Math.floor(next() * 0xffffffff), Math.min(at, bytes.length - 4));
  return bytes;
}

async function fuzz(dir: string, original: Buffer, key: SigningKey, rounds: number, seed: number): Promise<number> {
  const next = random(seed);
  let rejected = 0;
  for (let round = 0; round < rounds; round++) {
    const input = join(dir, `m-${round}.nupkg`);
    const output = join(dir, `m-${round}.out.nupkg`);
    await writeFile(input, mutate(original, next));
    const started = performance.now();
    const verification = await verifyPackage(input);
    try {
      await repositorySignPackage(input, output, { key, serviceIndexUrl: 'https://fuzz.reposign.test/v3/index.json' });
      // Whatever we agree to sign must come out verifying.
      const resigned = await verifyPackage(output);
      assert.equal(resigned.valid, true, `round ${round}: ${JSON.stringify(resigned.issues)}`);
    } catch (error) {
      assert.ok(isReposignError(error), `round ${round}: ${String(error)}`);
      rejected++;
      await assert.rejects(stat(output), 'a failed signing leaves no output');
    }
    assert.ok(performance.now() - started < 1000, `round ${round} took too long`);
    if (!verification.valid) assert.ok(verification.issues.length > 0);
    await rm(input);
    await rm(output, { force: true });
  }
  return rejected;
}

test('300 mutations of a signed package: typed errors or valid results, each within a second', async (t) => {
  const dir = await tempDirFor(t, 'fuzz');
  const certificate = await createSelfSigned(dir, { subject: 'Reposign Fuzz', keyBits: 2048 });
  const key = await openPemKey({ certificatePem: certificate.certPem, privateKeyPem: certificate.keyPem });
  const unsigned = join(dir, 'unsigned.nupkg');
  await writeFile(
    unsigned,
    buildZip([...samplePackageEntries('Fuzz.Package', '1.0.0'), { name: 'lib/net10.0/a.dll', data: seededBytes(4096, 11), method: 8 }]).bytes,
  );
  const signed = join(dir, 'signed.nupkg');
  await repositorySignPackage(unsigned, signed, { key, serviceIndexUrl: 'https://fuzz.reposign.test/v3/index.json' });
  const rejected = await fuzz(dir, await readFile(signed), key, 300, 20261125);
  assert.ok(rejected > 100, `most mutations must be refused (refused ${rejected})`);
  await key.close();
});

test('100 mutations of a real nuget.org package (author-signed, NuGet.org countersigned)', async (t) => {
  const packages = await nugetOrgPackages();
  if (process.env.CI === 'true') assert.ok(packages.length > 0, 'CI machines have nuget.org packages');
  const smallest = [...packages].sort((a, b) => a.size - b.size)[0];
  if (!smallest) return t.skip('no nuget.org packages on this machine');
  const dir = await tempDirFor(t, 'fuzz-nuget-org');
  const certificate = await createSelfSigned(dir, { subject: 'Reposign Fuzz Org', keyBits: 2048 });
  const key = await openPemKey({ certificatePem: certificate.certPem, privateKeyPem: certificate.keyPem });
  const rejected = await fuzz(dir, await readFile(smallest.path), key, 100, 7);
  assert.ok(rejected > 30, `most mutations must be refused (refused ${rejected})`);
  await key.close();
});
