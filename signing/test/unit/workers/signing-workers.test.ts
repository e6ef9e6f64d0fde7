// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { PackageArchive } from '../../../src/archive/index.js';
import { ReposignError, isReposignError, type ErrorCode } from '../../../src/errors.js';
import { repositorySignPackage, verifyPackage } from '../../../src/index.js';
import { signPackageHere, type RepositorySignOptions } from '../../../src/package-signer.js';
import type { SigningKey } from '../../../src/signing-key.js';
import { createRootCa, issueCertificate } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { buildZip, samplePackageEntries } from '../../helpers/zip-builder.js';
import { openTestKey } from '../cms/test-signatures.js';

const URL = 'https://feed.example/v3/index.json';
const SIGNING_TIME = new Date('2026-03-04T05:06:07Z');

let dir: string;
let key: SigningKey;
let counter = 0;

before(async () => {
  dir = await makeTempDir('signing-workers');
  const ca = await createRootCa(dir, { name: 'Workers Root' });
  key = await openTestKey(await issueCertificate(ca, { subject: 'Workers Repository' }), [ca]);
});
after(() => removeTempDir(dir));

/** `key` with its signatures counted: a package signed on a worker never reaches this object's sign(). */
function countingKey(portable: boolean): { key: SigningKey; signs: () => number } {
  let signs = 0;
  const counted: SigningKey = {
    kind: key.kind,
    matchesCertificate: true,
    certificateChain: () => key.certificateChain(),
    sign: (input, hash, options) => {
      signs++;
      return key.sign(input, hash, options);
    },
    close: async () => undefined,
    ...(portable ? { portable: () => key.portable?.() ?? assert.fail('a PEM key is portable') } : {}),
  };
  return { key: counted, signs: () => signs };
}

async function packageFile(payloadBytes = 10 * 1024): Promise<string> {
  const path = join(dir, `in-${counter++}.nupkg`);
  const payload = { name: 'content/payload.bin', data: new Uint8Array(payloadBytes).fill(counter), method: 0 as const };
  await writeFile(path, buildZip([...samplePackageEntries('Workers.Package', '2.0.0'), payload]).bytes);
  return path;
}

async function signatureBytes(path: string): Promise<Uint8Array | undefined> {
  const archive = await PackageArchive.open(path);
  try {
    return await archive.readSignatureFile();
  } finally {
    await archive.close();
  }
}

const output = (): string => join(dir, `out-${counter++}.nupkg`);
const temporaries = async (): Promise<string[]> => (await readdir(dir)).filter((name) => name.endsWith('.tmp'));

describe('signing on workers', () => {
  test('a key held in this process signs package files on a worker, with the signature signing here makes', async () => {
    for (const payloadBytes of [10 * 1024, 3 * 1024 * 1024]) {
      const input = await packageFile(payloadBytes);
      const counted = countingKey(true);
      const options: RepositorySignOptions = { key: counted.key, serviceIndexUrl: URL, packageOwners: ['alice'], signingTime: SIGNING_TIME };
      const onWorker = output();
      const result = await repositorySignPackage(input, onWorker, options);
      assert.equal(counted.signs(), 0, 'the signature was made from the portable key, on the worker');
      assert.deepEqual(
        { id: result.id, version: result.version, before: result.before, after: result.after, placement: result.placement },
        { id: 'Workers.Package', version: '2.0.0', before: 'unsigned', after: 'repository', placement: 'primary' },
      );
      assert.deepEqual(result.certificate.der, key.certificateChain()[0]);
      const here = output();
      const hereResult = await signPackageHere(input, here, options);
      assert.equal(counted.signs(), 1);
      assert.equal(result.sizeBytes, hereResult.sizeBytes);
      assert.deepEqual(await signatureBytes(onWorker), await signatureBytes(here), `${payloadBytes} bytes: the same signature, byte for byte`);
      const verification = await verifyPackage(onWorker);
      assert.equal(verification.valid, true, JSON.stringify(verification.issues));
      assert.deepEqual(verification.inspection?.signatures.map((signature) => signature.owners), [['alice']]);
    }
  });

  test('a key that is not portable, and a package handed over in memory, sign on this thread', async () => {
    const input = await packageFile();
    const counted = countingKey(false);
    await repositorySignPackage(input, output(), { key: counted.key, serviceIndexUrl: URL });
    assert.equal(counted.signs(), 1);
    const portable = countingKey(true);
    const archive = await PackageArchive.open(input);
    try {
      await repositorySignPackage(archive, output(), { key: portable.key, serviceIndexUrl: URL });
    } finally {
      await archive.close();
    }
    assert.equal(portable.signs(), 1);
  });

  test('errors cross from the worker with their code, NuGet code and origin', async () => {
    const notZip = join(dir, `not-zip-${counter++}.nupkg`);
    await writeFile(notZip, 'not a zip at all, just text that is long enough to hold no end of central directory record');
    const noNuspec = join(dir, `no-nuspec-${counter++}.nupkg`);
    await writeFile(noNuspec, buildZip([{ name: 'lib/a.dll', data: new Uint8Array(10) }]).bytes);
    const cases: [string, ErrorCode][] = [
      [notZip, 'ARCHIVE_NOT_ZIP'],
      [noNuspec, 'NUSPEC_MISSING'],
      [join(dir, 'missing.nupkg'), 'ARCHIVE_UNREADABLE'],
    ];
    for (const [input, code] of cases) {
      const target = output();
      const error = await repositorySignPackage(input, target, { key, serviceIndexUrl: URL }).then(
        () => assert.fail(`${code}: signed`),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof ReposignError, `${code}: ${String(error)}`);
      assert.equal(error.code, code);
      assert.equal(error.origin, 'package');
      assert.equal(await PackageArchive.open(target).then(() => 'written', () => 'absent'), 'absent');
    }
    assert.deepEqual(await temporaries(), []);
  });

  test('an abort before the worker commits writes nothing: aborted before the call, or right after it', async () => {
    const input = await packageFile(1024 * 1024);
    const early = new AbortController();
    early.abort(new Error('shutting down'));
    const first = output();
    await assert.rejects(repositorySignPackage(input, first, { key, serviceIndexUrl: URL, signal: early.signal }), (error: unknown) => isReposignError(error, 'SIGNING_ABORTED'));
    const late = new AbortController();
    const second = output();
    const signing = repositorySignPackage(input, second, { key, serviceIndexUrl: URL, signal: late.signal });
    late.abort(new Error('client went away'));
    await assert.rejects(signing, (error: unknown) => isReposignError(error, 'SIGNING_ABORTED') && (error.cause as Error).message === 'client went away');
    for (const path of [first, second]) assert.equal(await PackageArchive.open(path).then(() => 'written', () => 'absent'), 'absent', path);
    assert.deepEqual(await temporaries(), []);
    // The worker is still fine for the next package.
    const next = output();
    await repositorySignPackage(input, next, { key, serviceIndexUrl: URL });
    assert.equal((await verifyPackage(next)).valid, true);
  });

  test('an abort that lands while the worker signs stops it before the output is renamed into place', async () => {
    // A large package: the worker creates its temporary file, then spends tens of milliseconds
    // copying and hashing 40 MB before it would rename it. The abort comes when the file appears.
    const input = await packageFile(40 * 1024 * 1024);
    const target = output();
    const controller = new AbortController();
    const watcher = watch(dir, (_, name) => {
      if (name?.endsWith('.tmp') === true) controller.abort(new Error('client went away'));
    });
    try {
      await assert.rejects(repositorySignPackage(input, target, { key, serviceIndexUrl: URL, signal: controller.signal }), (error: unknown) => isReposignError(error, 'SIGNING_ABORTED'));
    } finally {
      watcher.close();
    }
    assert.equal(controller.signal.aborted, true);
    assert.equal(await PackageArchive.open(target).then(() => 'written', () => 'absent'), 'absent');
    assert.deepEqual(await temporaries(), []);
  });
});
