// SPDX-License-Identifier: MIT
// A package whose repository signature claims the feed's own certificate but is forged: ours with
// its signature value altered. Under ReSign the
// feed replaces the forgery with its own signature (what is served verifies, with the engine and
// with `dotnet nuget verify`); under Reject it refuses the push with a 400 and stores nothing.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyPackage } from '@reposign/signing';
import { writeTestPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { prepareTrustingSdk, requireDotnet, verifyPackages } from '../../signing/test/helpers/dotnet.js';
import { createSelfSigned, exportPfx, type TestCertificate } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { signUnchecked } from '../../signing/test/helpers/unchecked-signer.js';
import { freePort, startSeededFeedProcess, type FeedProcess } from '../helpers/feed-process.js';
import { nupkgUrl, pushPackage, timedRequest } from '../helpers/feed-http.js';

const API_KEY = 'faults-key';
const SERVICE_INDEX = 'https://localhost/v3/index.json';

/** The DER bytes of a PEM certificate. */
function derOf(certificate: TestCertificate): Uint8Array {
  return Buffer.from(certificate.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}

/**
 * A forgery claiming `ours`: our signature with its value altered. (Another key's signature over our
 * certificate cannot be made with signUnchecked, which now checks that key and certificate match.)
 */
async function forge(dir: string, ours: TestCertificate, prefix: string): Promise<Record<string, string>> {
  const oursKey = join(dir, `${prefix}-ours.key`);
  await writeFile(oursKey, ours.keyPem);
  const tampered = join(dir, `${prefix}.Tampered.1.0.0.nupkg`);
  await signUnchecked(await writeTestPackage(dir, { id: `${prefix}.Tampered`, version: '1.0.0' }), tampered, [derOf(ours)], oursKey, SERVICE_INDEX);
  assert.equal((await verifyPackage(tampered, { certificateFingerprints: [ours.fingerprintSha256] })).valid, true, 'untampered, our signature is valid');
  // Without a timestamp the SignerInfo's signature value is the last field of the p7s, and the p7s
  // is the last entry before the central directory: flip a byte inside that value.
  const bytes = await readFile(tampered);
  const cd = bytes.readUInt32LE(bytes.length - 22 + 16);
  bytes[cd - 40] = (bytes[cd - 40] ?? 0) ^ 0xff;
  await writeFile(tampered, bytes);
  for (const forged of [tampered]) {
    const verdict = await verifyPackage(forged, { certificateFingerprints: [ours.fingerprintSha256] });
    assert.equal(verdict.valid, false, `${forged} must be a forgery`);
    assert.equal(verdict.inspection?.signatures[0]?.certificate?.fingerprintSha256, ours.fingerprintSha256.toLowerCase(), 'it claims our certificate');
  }
  return { [`${prefix}.Tampered`]: tampered };
}

async function startFeed(dir: string, name: string, pfx: string, policy: 'ReSign' | 'Reject'): Promise<{ feed: FeedProcess; base: string }> {
  const base = `http://127.0.0.1:${await freePort()}`;
  const feed = await startSeededFeedProcess(
    {
      Urls: base,
      ApiKeys__0: API_KEY,
      Storage__Path: join(dir, name),
      Signing__TimestampServerUrl: '',
      Signing__Mode: 'StoredCertificate',
      Signing__StoredCertificate__FilePath: pfx,
      Signing__StoredCertificate__Password: 'pw',
      Signing__PublishSignaturePolicy: policy,
    },
    dir,
  );
  return { feed, base };
}

test('forged repository signatures claiming our certificate: ReSign replaces them, Reject refuses them; nothing forged is served', { timeout: 300_000 }, async (t) => {
  const dotnet = await requireDotnet(t);
  const dir = await tempDirFor(t, 'faults-forged');
  const ours = await createSelfSigned(dir, { subject: 'Reposign Forgery Target', keyBits: 2048 });
  const pfx = await exportPfx(ours, { password: 'pw', legacy: false, fileName: 'ours.pfx' });

  await t.test('ReSign: the forgery is replaced by a valid signature of ours', async (st) => {
    const { feed, base } = await startFeed(dir, 'resign', pfx, 'ReSign');
    st.after(() => feed.stop());
    const served: string[] = [];
    for (const [id, path] of Object.entries(await forge(dir, ours, 'Faults.Forged.ReSign'))) {
      const pushed = await pushPackage(base, await readFile(path), API_KEY);
      assert.ok(pushed.status === 201 || (pushed.status >= 400 && pushed.status < 500), `${id}: ${pushed.status} ${pushed.body.toString()}`);
      const download = await timedRequest(nupkgUrl(base, id, '1.0.0'));
      if (pushed.status !== 201) {
        assert.equal(download.status, 404, `${id}: refused, so not served`);
        continue;
      }
      assert.equal(download.status, 200);
      const file = join(dir, `served-${id}.nupkg`);
      await writeFile(file, download.body);
      const verdict = await verifyPackage(file, { certificateFingerprints: [ours.fingerprintSha256] });
      assert.equal(verdict.valid, true, `${id}: ${JSON.stringify(verdict.issues)}`);
      assert.notDeepEqual(download.body, await readFile(path), `${id}: not the forged bytes`);
      served.push(file);
    }
    if (dotnet && served.length > 0) {
      // The client judges what is served, trusting our (self-signed) certificate as a root.
      const sdk = await prepareTrustingSdk({ codeSigningRoots: [ours.certPem], timestampingRoots: [] });
      st.after(() => sdk.dispose());
      const verified = await verifyPackages(sdk.dotnet, served, { fingerprints: [ours.fingerprintSha256] });
      assert.equal(verified.code, 0, verified.output);
    }
  });

  await t.test('Reject: the forgery is refused with a 400 and not stored', async (st) => {
    const { feed, base } = await startFeed(dir, 'reject', pfx, 'Reject');
    st.after(() => feed.stop());
    for (const [id, path] of Object.entries(await forge(dir, ours, 'Faults.Forged.Reject'))) {
      const pushed = await pushPackage(base, await readFile(path), API_KEY);
      assert.equal(pushed.status, 400, `${id}: ${pushed.body.toString()}`);
      assert.equal((await timedRequest(nupkgUrl(base, id, '1.0.0'))).status, 404, `${id}: not served`);
    }
  });
});
