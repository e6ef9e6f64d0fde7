// SPDX-License-Identifier: MIT
// Hot reload under load: the mounted certificate changes (a Kubernetes `..data` symlink swap) while
// 20 clients download; no request fails and every package signed after the swap carries the new
// certificate, while the old one stays recorded.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { certificatesRepository } from '../../../src/db/certificates-repository.js';
import { inspectPackage } from '@reposign/signing';
import { createSelfSigned, exportPfx } from '../../../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { memoryLog, startTestFeed, testPackage } from './feed-fixture.js';
import { mountSecret } from './mounted-secret.js';

test('a certificate swap while 20 clients download: no failed request, new signings use the new certificate', { timeout: 180_000 }, async (t) => {
  const dir = await tempDirFor(t, 'hot-reload');
  const certA = await createSelfSigned(dir, { subject: 'Reload A', keyBits: 2048 });
  const certB = await createSelfSigned(dir, { subject: 'Reload B', keyBits: 2048 });
  const pfxA = await exportPfx(certA, { password: 'pw', legacy: false, fileName: 'a.pfx' });
  const pfxB = await exportPfx(certB, { password: 'pw', legacy: false, fileName: 'b.pfx' });
  const secret = await mountSecret(join(dir, 'secret'), 'signing.pfx', pfxA);
  const feed = await startTestFeed(t, {
    Signing__Mode: 'StoredCertificate',
    Signing__StoredCertificate__FilePath: secret.path,
    Signing__CertificatePasswordSecret: 'Signing:CertificatePassword',
    Signing__CertificatePassword: 'pw',
    Signing__SignOnPush: 'false',
    Signing__ReloadIntervalSeconds: '0.2',
  });
  const log = memoryLog();
  feed.feed.startBackgroundJobs(log);
  const fingerprintA = certA.fingerprintSha256.toLowerCase();
  const fingerprintB = certB.fingerprintSha256.toLowerCase();
  assert.equal(feed.feed.ctx.signer.certificate.fingerprintSha256, fingerprintA);
  for (let i = 0; i < 40; i++) assert.equal((await feed.push(testPackage({ id: `Reload.P${i}`, version: '1.0.0', paddingBytes: 50_000 }))).statusCode, 201);
  const address = await feed.app.listen({ host: '127.0.0.1', port: 0 });
  const url = (i: number): string => `${address}/v3/flatcontainer/reload.p${i}/1.0.0/reload.p${i}.1.0.0.nupkg`;

  let running = true;
  const failures: string[] = [];
  let requests = 0;
  const client = async (n: number): Promise<void> => {
    for (let round = 0; running; round++) {
      // Packages 0..19 only: their first downloads sign during the swap; 20..39 wait for afterwards.
      const i = (n + round) % 20;
      try {
        const response = await fetch(url(i));
        const body = Buffer.from(await response.arrayBuffer());
        requests++;
        if (response.status !== 200 || body.length < 50_000) failures.push(`${i}: ${response.status}`);
      } catch (error) {
        failures.push(`${i}: ${String(error)}`);
      }
    }
  };
  const clients = Array.from({ length: 20 }, (_, n) => client(n));
  await sleep(500);
  await secret.update(pfxB);
  const deadline = Date.now() + 20_000;
  while (feed.feed.ctx.signer.certificate.fingerprintSha256 !== fingerprintB && Date.now() < deadline) await sleep(50);
  // Keep the load on after the swap until every client has been served again (a busy CI machine
  // is slow, so count requests rather than wait a fixed time).
  const swappedAt = requests;
  while (requests < swappedAt + 40 && Date.now() < deadline + 20_000) await sleep(50);
  running = false;
  await Promise.all(clients);
  assert.equal(feed.feed.ctx.signer.certificate.fingerprintSha256, fingerprintB, log.lines.join('\n'));
  assert.deepEqual(failures, []);
  assert.ok(requests >= swappedAt + 40, `the clients made ${requests} requests, ${requests - swappedAt} after the swap`);

  for (let i = 20; i < 40; i++) {
    const response = await fetch(url(i));
    assert.equal(response.status, 200);
    const path = join(dir, `after-${i}.nupkg`);
    await writeFile(path, Buffer.from(await response.arrayBuffer()));
    const inspection = await inspectPackage(path);
    assert.equal(inspection.signatures[0]?.certificate?.fingerprintSha256, fingerprintB, `package ${i} is signed by the new certificate`);
  }
  const certificates = await certificatesRepository(feed.feed.ctx.db).list();
  assert.deepEqual(
    certificates.map((c) => [c.fingerprintSha256, c.active]),
    [
      [fingerprintA, false],
      [fingerprintB, true],
    ],
  );
  assert.equal((await certificatesRepository(feed.feed.ctx.db).signings(fingerprintB)).length >= 20, true);
  assert.ok(log.lines.some((line) => line.startsWith('info signing certificate reloaded')));
});
