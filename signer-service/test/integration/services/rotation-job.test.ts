// SPDX-License-Identifier: MIT
// The rotation job re-signs packages of an old certificate with the current one: throttled,
// resumable after a restart, content hash kept, progress in metrics and logs.

import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { certificatesRepository } from '../../../src/db/certificates-repository.js';
import { packagesRepository } from '../../../src/db/packages-repository.js';
import { rotateOnePackage } from '../../../src/services/rotation-job.js';
import { computePackageHash, inspectPackage, PackageArchive } from '@reposign/signing';
import { createSelfSigned, exportPfx } from '../../../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { memoryLog, startTestFeed, testPackage } from '../feed/feed-fixture.js';

async function contentHash(path: string): Promise<string> {
  const archive = await PackageArchive.open(path);
  try {
    return Buffer.from(await computePackageHash(archive, 'SHA512')).toString('base64');
  } finally {
    await archive.close();
  }
}

test('rotation re-signs old packages with the new certificate, resumes after a restart, keeps the content hash', { timeout: 180_000 }, async (t) => {
  const dir = await tempDirFor(t, 'rotation');
  const storage = join(dir, 'storage');
  const certA = await createSelfSigned(dir, { subject: 'Rotation A', keyBits: 2048 });
  const certB = await createSelfSigned(dir, { subject: 'Rotation B', keyBits: 2048 });
  const pfxA = await exportPfx(certA, { password: 'pw', legacy: false, fileName: 'a.pfx' });
  const pfxB = await exportPfx(certB, { password: 'pw', legacy: false, fileName: 'b.pfx' });
  const current = join(dir, 'current.pfx');
  await copyFile(pfxA, current);
  const env = { Signing__Mode: 'StoredCertificate', Signing__StoredCertificate__FilePath: current, Signing__StoredCertificate__Password: 'pw', Signing__Rotation__PackagesPerMinute: '600' };
  const ids = ['Rot.One', 'Rot.Two', 'Rot.Three'];
  const hashes = new Map<string, string>();

  await t.test('three packages signed by certificate A', async (st) => {
    const feed = await startTestFeed(st, env, { storage });
    for (const id of ids) assert.equal((await feed.push(testPackage({ id, version: '1.0.0' }))).statusCode, 201);
    for (const id of ids) {
      const record = await packagesRepository(feed.feed.ctx.db).find(id.toLowerCase(), '1.0.0');
      hashes.set(id, await feed.feed.ctx.store.withLocalFile(record?.signedKey ?? '', contentHash));
    }
  });
  await copyFile(pfxB, current);

  await t.test('after the switch to B, one step re-signs one package, then the process stops', async (st) => {
    const feed = await startTestFeed(st, env, { storage });
    assert.equal(feed.feed.ctx.signer.certificate.fingerprintSha256, certB.fingerprintSha256.toLowerCase());
    const log = memoryLog();
    assert.equal(await rotateOnePackage(feed.feed.ctx, log), 'resigned');
    assert.equal(await packagesRepository(feed.feed.ctx.db).countToResign(certB.fingerprintSha256.toLowerCase()), 2);
    assert.match(log.lines.join('\n'), /rotation: package re-signed .*"remaining":2/);
  });

  await t.test('after a restart the background job finishes the other two, throttled', async (st) => {
    const feed = await startTestFeed(st, { ...env, Signing__Rotation__Enabled: 'true', Signing__ReloadIntervalSeconds: '0' }, { storage });
    const started = Date.now();
    feed.feed.startBackgroundJobs(memoryLog());
    const fingerprintB = certB.fingerprintSha256.toLowerCase();
    const packages = packagesRepository(feed.feed.ctx.db);
    while ((await packages.countToResign(fingerprintB)) > 0 && Date.now() - started < 30_000) await sleep(50);
    assert.equal(await packages.countToResign(fingerprintB), 0);
    // 600 packages/minute: at least 100 ms between the two re-signings.
    assert.ok(Date.now() - started >= 100, 'throttled');
    const signings = await certificatesRepository(feed.feed.ctx.db).signings(fingerprintB);
    assert.deepEqual(signings.map((s) => s.mode).sort(), ['rotation', 'rotation', 'rotation'], 'each package re-signed exactly once across the restart');
    for (const id of ids) {
      const record = await packages.find(id.toLowerCase(), '1.0.0');
      assert.equal(record?.certificateFingerprint, fingerprintB);
      await feed.feed.ctx.store.withLocalFile(record?.signedKey ?? '', async (path) => {
        assert.equal(await contentHash(path), hashes.get(id), `${id} keeps its content hash`);
        assert.equal((await inspectPackage(path)).signatures[0]?.certificate?.fingerprintSha256, fingerprintB);
      });
    }
    const metrics = await feed.feed.ctx.metrics.registry.metrics();
    assert.match(metrics, /reposign_rotation_remaining_packages 0/);
    assert.match(metrics, /reposign_rotation_packages_total\{outcome="resigned"\} 2/);
    const listed = await certificatesRepository(feed.feed.ctx.db).list();
    assert.deepEqual(listed.map((c) => c.fingerprintSha256), [certA.fingerprintSha256.toLowerCase(), fingerprintB], 'the old certificate stays listed');
  });
});
