// SPDX-License-Identifier: MIT
// The same schema and repositories on the embedded database (PGlite) and on a real PostgreSQL server.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { certificatesRepository } from '../../../src/db/certificates-repository.js';
import type { Database } from '../../../src/db/database.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded-database.js';
import { listMigrations, migrate, undoLastMigration } from '../../../src/db/migrate.js';
import { packagesRepository, type NewPackageRecord } from '../../../src/db/packages-repository.js';
import { openPostgresDatabase } from '../../../src/db/postgres-database.js';
import { isFeedError } from '../../../src/errors.js';
import { startPostgres } from './postgres-server.js';

function record(id: string, version: string, overrides: Partial<NewPackageRecord> = {}): NewPackageRecord {
  return {
    idLower: id.toLowerCase(),
    versionLower: version.toLowerCase(),
    id,
    version,
    fullVersion: version,
    generation: randomUUID(),
    originalKey: `packages/${id.toLowerCase()}/${version}/original.nupkg`,
    signedKey: null,
    certificateFingerprint: null,
    sizeBytes: 10,
    prerelease: version.includes('-'),
    semVer2: version.includes('.', version.indexOf('-') + 1) && version.includes('-'),
    metadata: {
      description: `about ${id}`,
      authors: 'a',
      title: '',
      summary: '',
      tags: ['x'],
      projectUrl: '',
      iconUrl: '',
      licenseUrl: '',
      requireLicenseAcceptance: false,
      dependencyGroups: [],
      packageTypes: [],
    },
    ...overrides,
  };
}

const CERTIFICATE = {
  fingerprintSha256: 'ab'.repeat(32),
  subject: 'CN=one',
  issuer: 'CN=one',
  serialNumber: '01',
  notBefore: new Date('2025-01-01T00:00:00Z'),
  notAfter: new Date('2027-01-01T00:00:00Z'),
  der: new Uint8Array([1, 2, 3]),
};

async function exerciseRepositories(t: TestContext, db: Database): Promise<void> {
  const applied = await migrate(db);
  assert.deepEqual(applied, (await listMigrations()).map((migration) => migration.version));
  assert.deepEqual(await migrate(db), [], 'a second run applies nothing');

  await t.test('insert, find, duplicate, query filters', async () => {
    const packages = packagesRepository(db);
    await packages.insert(record('Alpha', '1.0.0'));
    await packages.insert(record('Alpha', '2.0.0-beta.1', { semVer2: true, prerelease: true }));
    await packages.insert(record('Beta', '1.0.0'));
    await assert.rejects(packages.insert(record('ALPHA', '1.0.0')), (error: unknown) => isFeedError(error, 'FEED_PACKAGE_EXISTS'));
    assert.equal((await packages.find('alpha', '1.0.0'))?.metadata.description, 'about Alpha');
    assert.deepEqual([await packages.exists('alpha', '1.0.0'), await packages.exists('alpha', '3.0.0'), await packages.exists('gamma', '1.0.0')], [true, false, false]);
    assert.equal((await packages.listVersions('alpha')).length, 2);
    const stable = await packages.query({ text: 'alpha', includePrerelease: false, includeSemVer2: false, idPrefix: false });
    assert.deepEqual(stable.map((row) => row.versionLower), ['1.0.0']);
    const all = await packages.query({ text: 'alp', includePrerelease: true, includeSemVer2: true, idPrefix: true });
    assert.equal(all.length, 2);
    assert.equal(await packages.setListed('beta', '1.0.0', false), true);
    assert.equal((await packages.query({ text: 'beta', includePrerelease: true, includeSemVer2: true, idPrefix: false })).length, 0);
    assert.equal(await packages.countUnsigned(), 3);
  });

  await t.test('certificates are append-only and record which versions they signed', async () => {
    const certificates = certificatesRepository(db);
    await certificates.activate(CERTIFICATE);
    await certificates.activate({ ...CERTIFICATE, fingerprintSha256: 'cd'.repeat(32), subject: 'CN=two' });
    const listed = await certificates.list();
    assert.deepEqual(listed.map((c) => [c.subject, c.active]), [['CN=one', false], ['CN=two', true]]);
    assert.deepEqual(listed[0]?.der, new Uint8Array([1, 2, 3]));
    const packages = packagesRepository(db);
    const alpha = await packages.find('alpha', '1.0.0');
    assert.ok(alpha);
    const marked = await db.transaction(async (tx) => {
      const row = await packagesRepository(tx).markSigned({ idLower: 'alpha', versionLower: '1.0.0', generation: alpha.generation, signedKey: 'k', fingerprint: 'cd'.repeat(32), sizeBytes: 11 });
      await certificatesRepository(tx).recordSigning('cd'.repeat(32), { idLower: 'alpha', versionLower: '1.0.0', generation: alpha.generation, mode: 'download' });
      return row;
    });
    assert.equal(marked?.signedKey, 'k');
    assert.equal(marked?.sizeBytes, 11);
    assert.equal(await packages.markSigned({ idLower: 'alpha', versionLower: '1.0.0', generation: alpha.generation, signedKey: 'k2', fingerprint: 'cd'.repeat(32), sizeBytes: 11 }), undefined);
    const signed = await packages.find('alpha', '1.0.0');
    assert.equal(signed?.originalKey, null);
    assert.equal(signed?.certificateFingerprint, 'cd'.repeat(32));
    const signings = await certificates.signings('cd'.repeat(32));
    assert.deepEqual(signings.map((s) => [s.idLower, s.versionLower, s.mode]), [['alpha', '1.0.0', 'download']]);
  });

  await t.test('a push is one statement: the signed row and its certificate use, or nothing when the version exists', async () => {
    const packages = packagesRepository(db);
    const certificates = certificatesRepository(db);
    const fingerprint = 'ab'.repeat(32);
    assert.deepEqual(await certificates.signings(fingerprint), [], 'not used yet');
    const pushed = record('Pushed', '1.0.0', { originalKey: null, signedKey: 'packages/pushed/1.0.0/g/pushed.1.0.0.nupkg', certificateFingerprint: fingerprint });
    const row = await packages.insertSignedIfAbsent({ ...pushed, signedKey: 'packages/pushed/1.0.0/g/pushed.1.0.0.nupkg', certificateFingerprint: fingerprint });
    assert.equal(row?.signedKey, 'packages/pushed/1.0.0/g/pushed.1.0.0.nupkg');
    assert.ok(row?.signedAt instanceof Date, 'signed_at is set for a signed row');
    assert.deepEqual((await certificates.signings(fingerprint)).map((s) => [s.idLower, s.generation, s.mode]), [['pushed', pushed.generation, 'push']]);
    assert.ok((await certificates.signings(fingerprint))[0]?.signedAt instanceof Date, 'the signing is dated');
    const again = await packages.insertSignedIfAbsent({ ...pushed, generation: randomUUID(), signedKey: 'other', certificateFingerprint: fingerprint });
    assert.equal(again, undefined, 'the version exists');
    assert.equal((await packages.find('pushed', '1.0.0'))?.generation, pushed.generation, 'the first row stands');
    assert.equal((await certificates.signings(fingerprint)).length, 1, 'no signing recorded for the refused push');
  });

  await t.test('a failed transaction rolls back', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await packagesRepository(tx).insert(record('Gamma', '1.0.0'));
        throw new Error('boom');
      }),
    );
    assert.equal(await packagesRepository(db).find('gamma', '1.0.0'), undefined);
    assert.equal(await packagesRepository(db).exists('gamma', '1.0.0'), false);
  });

  await t.test('migrations undo cleanly and re-apply', async () => {
    const used = (await certificatesRepository(db).signings('cd'.repeat(32)))[0]?.signedAt;
    assert.ok(used instanceof Date);
    assert.equal(await undoLastMigration(db), 2);
    const [restored] = await db.query<{ first_used_at: Date | string | null; last_used_at: Date | string | null }>(
      'SELECT first_used_at, last_used_at FROM certificates WHERE fingerprint_sha256 = $1',
      ['cd'.repeat(32)],
    );
    assert.equal(new Date(restored?.first_used_at ?? 0).getTime(), used.getTime(), 'undoing 2 restores the first use from package_signings');
    assert.equal(new Date(restored?.last_used_at ?? 0).getTime(), used.getTime());
    assert.equal(await undoLastMigration(db), 1);
    assert.deepEqual(await migrate(db), [1, 2]);
    assert.equal((await packagesRepository(db).listVersions('alpha')).length, 0);
  });
}

test('repositories on the embedded database (PGlite)', async (t) => {
  const db = await openEmbeddedDatabase(undefined);
  t.after(() => db.close());
  await exerciseRepositories(t, db);
});

test('repositories on a real PostgreSQL server', { timeout: 180_000 }, async (t) => {
  const connectionString = await startPostgres(t);
  const db = await openPostgresDatabase(connectionString);
  t.after(() => db.close());
  await exerciseRepositories(t, db);

  await t.test('the advisory lock excludes a second holder until released', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = db.withAdvisoryLock('k', async () => {
      order.push('first in');
      await held;
      order.push('first out');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = db.withAdvisoryLock('k', async () => {
      order.push('second in');
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first in', 'first out', 'second in']);
  });
});
