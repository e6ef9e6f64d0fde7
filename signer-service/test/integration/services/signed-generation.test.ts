// SPDX-License-Identifier: MIT
// The one path by which a signed copy enters the feed: it queries only through the session it is
// given, records the row and the certificate use together, and leaves nothing behind on failure.

import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasErrorOrigin, inspectPackage, parseNuspec } from '@reposign/signing';
import { certificatesRepository } from '../../../src/db/certificates-repository.js';
import type { Database, Session } from '../../../src/db/database.js';
import { packagesRepository, type PackageRecord } from '../../../src/db/packages-repository.js';
import type { FeedContext } from '../../../src/services/feed-context.js';
import { identityFromNuspec } from '../../../src/services/package-metadata.js';
import { storeSignedGeneration } from '../../../src/services/signed-generation.js';
import { nuspecXml, startTestFeed, testPackage, type TestFeed } from '../feed/feed-fixture.js';

/** The feed's context with a database that fails every use: the service must query through the session. */
function withoutPool(ctx: FeedContext): FeedContext {
  const refuse = (): never => assert.fail('queried the pool instead of the session it was given');
  const db: Database = { kind: ctx.db.kind, query: refuse, transaction: refuse, exec: refuse, withAdvisoryLock: refuse, close: refuse };
  return { ...ctx, db };
}

async function storedPackages(feed: TestFeed): Promise<string[]> {
  const names = await readdir(join(feed.storage, 'packages'), { recursive: true }).catch(() => []);
  return names.filter((name) => name.endsWith('.nupkg')).map((name) => `packages/${name.split('\\').join('/')}`).sort();
}

/** Pushes a package stored unsigned and returns its row. */
async function unsignedPackage(feed: TestFeed, id: string): Promise<PackageRecord & { originalKey: string }> {
  assert.equal((await feed.push(testPackage({ id, version: '1.0.0' }))).statusCode, 201);
  const record = await packagesRepository(feed.feed.ctx.db).find(id.toLowerCase(), '1.0.0');
  assert.ok(record?.originalKey, 'stored unsigned');
  return { ...record, originalKey: record.originalKey };
}

test('first-download signing: stores the signed copy, records it with the certificate use, deletes the original', async (t) => {
  const feed = await startTestFeed(t, { Signing__SignOnPush: 'false' });
  const { ctx } = feed.feed;
  const record = await unsignedPackage(feed, 'Gen.Signed');
  const signed = await storeSignedGeneration(withoutPool(ctx), ctx.db, { mode: 'download', record });
  assert.ok(signed?.signedKey);
  assert.equal(signed.originalKey, null);
  assert.equal(signed.certificateFingerprint, ctx.signer.certificate.fingerprintSha256);
  assert.deepEqual(await storedPackages(feed), [`packages/gen.signed/1.0.0/${record.generation}/gen.signed.1.0.0.nupkg`]);
  assert.equal((await ctx.store.withLocalFile(signed.signedKey, inspectPackage)).kind, 'repository');
  const signings = await certificatesRepository(ctx.db).signings(ctx.signer.certificate.fingerprintSha256);
  assert.deepEqual(
    signings.map(({ idLower, generation, mode }) => ({ idLower, generation, mode })),
    [{ idLower: 'gen.signed', generation: record.generation, mode: 'download' }],
  );
  assert.deepEqual(await readdir(ctx.store.tempDir), []);
});

test('a row that changed while signing: nothing of the signing stays, undefined is returned', async (t) => {
  const feed = await startTestFeed(t, { Signing__SignOnPush: 'false' });
  const { ctx } = feed.feed;
  const record = await unsignedPackage(feed, 'Gen.Raced');
  const stale = { ...record, generation: 'another-generation' };
  assert.equal(await storeSignedGeneration(ctx, ctx.db, { mode: 'download', record: stale }), undefined);
  assert.deepEqual(await storedPackages(feed), [`packages/gen.raced/1.0.0/${record.generation}/original.nupkg`], 'only the original remains');
  assert.deepEqual(await certificatesRepository(ctx.db).signings(ctx.signer.certificate.fingerprintSha256), []);
  assert.deepEqual(await readdir(ctx.store.tempDir), []);
});

test('a failed transaction removes the stored copy and keeps the original and the row unchanged', async (t) => {
  const feed = await startTestFeed(t, { Signing__SignOnPush: 'false' });
  const { ctx } = feed.feed;
  const record = await unsignedPackage(feed, 'Gen.Failed');
  const failing: Session = {
    query: (sql, params) => ctx.db.query(sql, params),
    transaction: (work) =>
      ctx.db.transaction(async (tx) => {
        await work(tx);
        throw new Error('the commit failed');
      }),
  };
  await assert.rejects(storeSignedGeneration(ctx, failing, { mode: 'download', record }), /the commit failed/);
  assert.deepEqual(await storedPackages(feed), [`packages/gen.failed/1.0.0/${record.generation}/original.nupkg`]);
  const after = await packagesRepository(ctx.db).find('gen.failed', '1.0.0');
  assert.equal(after?.signedKey, null);
  assert.equal(after.originalKey, record.originalKey);
  assert.deepEqual(await certificatesRepository(ctx.db).signings(ctx.signer.certificate.fingerprintSha256), []);
  assert.deepEqual(await readdir(ctx.store.tempDir), []);
});

test('a push that loses the race for its version stores nothing and returns undefined', async (t) => {
  const feed = await startTestFeed(t);
  const { ctx } = feed.feed;
  assert.equal((await feed.push(testPackage({ id: 'Gen.Twice', version: '1.0.0' }))).statusCode, 201);
  const first = await packagesRepository(ctx.db).find('gen.twice', '1.0.0');
  const uploadPath = join(feed.storage, 'upload.nupkg');
  await writeFile(uploadPath, testPackage({ id: 'Gen.Twice', version: '1.0.0' }));
  const identity = identityFromNuspec(parseNuspec(nuspecXml({ id: 'Gen.Twice', version: '1.0.0' })));
  const upload = await ctx.signer.open(uploadPath);
  t.after(() => upload.close());
  assert.equal(await storeSignedGeneration(ctx, ctx.db, { mode: 'push', upload, identity }), undefined);
  assert.deepEqual(await storedPackages(feed), [`packages/gen.twice/1.0.0/${first?.generation ?? ''}/gen.twice.1.0.0.nupkg`]);
  assert.equal((await packagesRepository(ctx.db).find('gen.twice', '1.0.0'))?.generation, first?.generation);
});

test('a signing failure stores nothing and reaches the caller as the engine threw it', async (t) => {
  const feed = await startTestFeed(t, { Signing__SignOnPush: 'false', Signing__TimestampServerUrl: 'http://127.0.0.1:9/tsa' });
  const { ctx } = feed.feed;
  const record = await unsignedPackage(feed, 'Gen.Unsignable');
  await assert.rejects(storeSignedGeneration(ctx, ctx.db, { mode: 'download', record }), (error: unknown) => hasErrorOrigin(error, 'service'));
  assert.deepEqual(await storedPackages(feed), [`packages/gen.unsignable/1.0.0/${record.generation}/original.nupkg`]);
  assert.deepEqual(await readdir(ctx.store.tempDir), []);
});
