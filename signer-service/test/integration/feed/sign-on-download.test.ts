// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { certificatesRepository } from '../../../src/db/certificates-repository.js';
import { verifyPackage } from '@reposign/signing';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import type { RepositorySignaturesIndex } from './documents.js';
import { startTestFeed, testPackage } from './feed-fixture.js';

async function signingCount(feed: Awaited<ReturnType<typeof startTestFeed>>): Promise<number> {
  const metrics = await feed.feed.ctx.metrics.registry.getSingleMetric('reposign_signings_total')?.get();
  return (metrics?.values ?? []).filter((value) => value.labels['mode'] === 'download' && value.labels['outcome'] === 'ok').reduce((sum, value) => sum + value.value, 0);
}

test('a package dropped unsigned into storage is imported at startup and served signed; 50 concurrent first downloads sign once', async (t) => {
  const storage = await tempDirFor(t, 'drop');
  const dropDir = join(storage, 'packages', 'dropped.pkg', '2.0.0');
  await mkdir(dropDir, { recursive: true });
  await writeFile(join(dropDir, 'dropped.pkg.2.0.0.nupkg'), testPackage({ id: 'Dropped.Pkg', version: '2.0.0', paddingBytes: 200_000 }));
  const feed = await startTestFeed(t, {}, { storage });
  assert.deepEqual(feed.feed.imported.imported, ['packages/dropped.pkg/2.0.0/dropped.pkg.2.0.0.nupkg']);

  const index = await feed.app.inject('/v3/repository-signatures/index.json');
  assert.equal(index.statusCode, 404, 'not offered over http');

  const responses = await Promise.all(
    Array.from({ length: 50 }, () => feed.app.inject('/v3/flatcontainer/dropped.pkg/2.0.0/dropped.pkg.2.0.0.nupkg')),
  );
  assert.deepEqual(new Set(responses.map((response) => response.statusCode)), new Set([200]));
  const bodies = new Set(responses.map((response) => response.rawPayload.toString('base64')));
  assert.equal(bodies.size, 1, 'all 50 downloads return the same bytes');
  assert.equal(await signingCount(feed), 1, 'exactly one signing');
  const signings = await certificatesRepository(feed.feed.ctx.db).signings(feed.feed.ctx.signer.certificate.fingerprintSha256);
  assert.equal(signings.length, 1);

  const dir = await tempDirFor(t, 'verify');
  const path = join(dir, 'downloaded.nupkg');
  await writeFile(path, responses[0]?.rawPayload ?? Buffer.alloc(0));
  const verification = await verifyPackage(path, { certificateFingerprints: [feed.feed.ctx.signer.certificate.fingerprintSha256] });
  assert.equal(verification.valid, true, JSON.stringify(verification.issues));
  assert.equal(verification.inspection?.kind, 'repository');
  // The unsigned original is gone; only the signed copy of this generation remains.
  const left = await readdir(dropDir, { recursive: true });
  assert.equal(left.filter((name) => name.endsWith('.nupkg')).length, 1);
  assert.ok(!left.includes('dropped.pkg.2.0.0.nupkg'));
});

test('SignOnPush=false stores as pushed; allRepositorySigned stays false until the first download signs it', async (t) => {
  const feed = await startTestFeed(t, { Signing__SignOnPush: 'false', PublicBaseUrl: 'https://feed.example' });
  assert.equal((await feed.push(testPackage({ id: 'Lazy', version: '1.0.0' }))).statusCode, 201);
  const before = (await feed.app.inject('/v3/repository-signatures/index.json')).json<RepositorySignaturesIndex>();
  assert.equal(before.allRepositorySigned, false);
  assert.equal(before.signingCertificates.length, 1);
  assert.equal(before.signingCertificates[0].contentUrl, `https://feed.example/v3/certificates/${feed.feed.ctx.signer.certificate.fingerprintSha256}.crt`);
  assert.equal((await feed.app.inject('/v3/flatcontainer/lazy/1.0.0/lazy.1.0.0.nupkg')).statusCode, 200);
  const after = (await feed.app.inject('/v3/repository-signatures/index.json')).json<RepositorySignaturesIndex>();
  assert.equal(after.allRepositorySigned, true);
  const crt = await feed.app.inject(`/v3/certificates/${feed.feed.ctx.signer.certificate.fingerprintSha256}.crt`);
  assert.equal(crt.statusCode, 200);
  assert.deepEqual(new Uint8Array(crt.rawPayload), feed.feed.ctx.signer.certificate.der);
});

test('hard delete then re-push never serves the old signed copy', async (t) => {
  const feed = await startTestFeed(t, { PackageDeletesBehavior: 'HardDelete' });
  assert.equal((await feed.push(testPackage({ id: 'Again', version: '1.0.0', description: 'first' }))).statusCode, 201);
  const first = await feed.app.inject('/v3/flatcontainer/again/1.0.0/again.1.0.0.nupkg');
  const deleted = await feed.app.inject({ method: 'DELETE', url: '/api/v2/package/Again/1.0.0', headers: { 'x-nuget-apikey': 'test-api-key' } });
  assert.equal(deleted.statusCode, 204);
  assert.equal((await feed.app.inject('/v3/flatcontainer/again/1.0.0/again.1.0.0.nupkg')).statusCode, 404);
  assert.equal((await feed.push(testPackage({ id: 'Again', version: '1.0.0', description: 'second' }))).statusCode, 201);
  const second = await feed.app.inject('/v3/flatcontainer/again/1.0.0/again.1.0.0.nupkg');
  assert.notDeepEqual(second.rawPayload, first.rawPayload);
  const nuspec = await feed.app.inject('/v3/flatcontainer/again/1.0.0/again.nuspec');
  assert.match(nuspec.body, /second/);
});
