// SPDX-License-Identifier: MIT
// The mounted signing certificate replaced while pushes and first downloads (on-demand signing of
// packages stored unsigned) are running: no request fails, every served package verifies, each is
// signed by the old or the new certificate, and the repository-signatures index lists both.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { testPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { mountSecret } from '../../signer-service/test/integration/feed/mounted-secret.js';
import { createSelfSigned, exportPfx } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { freePort, startSeededFeedProcess, waitForOutput } from '../helpers/feed-process.js';
import { downloadAndVerify, pushPackage, timedRequest } from '../helpers/feed-http.js';

const API_KEY = 'faults-key';
const STORED_UNSIGNED = 24;
const PUSHES = 24;

test('certificate swapped during pushes and first downloads: zero failed requests, every package verifies, both certificates listed', { timeout: 300_000 }, async (t) => {
  const dir = await tempDirFor(t, 'faults-swap');
  const certA = await createSelfSigned(dir, { subject: 'Reposign Swap A', keyBits: 2048 });
  const certB = await createSelfSigned(dir, { subject: 'Reposign Swap B', keyBits: 2048 });
  const secret = await mountSecret(join(dir, 'secret'), 'signing.pfx', await exportPfx(certA, { password: 'pw', legacy: false, fileName: 'a.pfx' }));
  const pfxB = await exportPfx(certB, { password: 'pw', legacy: false, fileName: 'b.pfx' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = (signOnPush: boolean): Record<string, string> => ({
    Urls: base,
    ApiKeys__0: API_KEY,
    Storage__Path: join(dir, 'data'),
    Signing__TimestampServerUrl: '',
    Signing__Mode: 'StoredCertificate',
    Signing__StoredCertificate__FilePath: secret.path,
    Signing__StoredCertificate__Password: 'pw',
    Signing__ReloadIntervalSeconds: '0.2',
    Signing__SignOnPush: String(signOnPush),
    // The repository-signatures index is served over https only: this test's client is the proxy.
    TrustedProxies__0: '127.0.0.1',
  });

  // Packages stored as received, so that their first download signs them on demand.
  const storing = await startSeededFeedProcess(env(false), dir);
  for (let i = 0; i < STORED_UNSIGNED; i++) {
    const stored = await pushPackage(base, testPackage({ id: `Faults.Swap.Stored${i}`, version: '1.0.0' }), API_KEY);
    assert.equal(stored.status, 201, stored.body.toString());
  }
  assert.equal(await storing.stop(), 0);

  const feed = await startSeededFeedProcess(env(true), dir);
  t.after(() => feed.stop());
  assert.equal(feed.fingerprint, certA.fingerprintSha256);
  const ids: string[] = [];
  const failures: string[] = [];
  const run = async (kind: string, request: () => Promise<{ status: number; body: Buffer }>, expected: number): Promise<void> => {
    const response = await request().catch((error: unknown) => ({ status: 0, body: Buffer.from(String(error)) }));
    if (response.status !== expected) failures.push(`${kind}: ${response.status} ${response.body.toString().slice(0, 200)}`);
  };
  // Four lanes of traffic; the swap happens once a quarter of the work is done.
  const work: (() => Promise<void>)[] = [];
  for (let i = 0; i < Math.max(PUSHES, STORED_UNSIGNED); i++) {
    if (i < PUSHES) {
      const id = `Faults.Swap.Pushed${i}`;
      ids.push(id);
      work.push(() => run('push', () => pushPackage(base, testPackage({ id, version: '1.0.0' }), API_KEY), 201));
    }
    if (i < STORED_UNSIGNED) {
      const id = `Faults.Swap.Stored${i}`;
      ids.push(id);
      work.push(() => run('first download', () => timedRequest(`${base}/v3/flatcontainer/${id.toLowerCase()}/1.0.0/${id.toLowerCase()}.1.0.0.nupkg`), 200));
    }
  }
  let next = 0;
  let swapped: Promise<void> | undefined;
  const lane = async (): Promise<void> => {
    while (next < work.length) {
      const index = next++;
      if (index === Math.floor(work.length / 4)) swapped = secret.update(pfxB).then(() => waitForOutput(feed, /signing certificate reloaded/, 30_000));
      await work[index]?.();
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  await swapped;
  assert.deepEqual(failures, [], 'no request failed during the swap');

  const signers = new Map<string, number>();
  for (const id of ids) {
    const verification = await downloadAndVerify(base, id, '1.0.0', dir, [certA.fingerprintSha256, certB.fingerprintSha256]);
    assert.equal(verification.valid, true, `${id}: ${JSON.stringify(verification.issues)}`);
    const signer = verification.inspection?.signatures[0]?.certificate?.fingerprintSha256 ?? 'none';
    signers.set(signer, (signers.get(signer) ?? 0) + 1);
  }
  assert.deepEqual([...signers.keys()].sort(), [certA.fingerprintSha256, certB.fingerprintSha256].map((f) => f.toLowerCase()).sort(), `signers: ${JSON.stringify([...signers])}`);

  const index = JSON.parse((await timedRequest(`${base}/v3/repository-signatures/index.json`, { headers: { 'x-forwarded-proto': 'https' } })).body.toString()) as {
    signingCertificates: { fingerprints: Record<string, string> }[];
  };
  const listed = index.signingCertificates.map((c) => c.fingerprints['2.16.840.1.101.3.4.2.1']?.toUpperCase()).sort();
  assert.deepEqual(listed, [certA.fingerprintSha256, certB.fingerprintSha256].sort());
});
