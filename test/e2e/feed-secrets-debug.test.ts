// SPDX-License-Identifier: MIT
// Secrets at the most verbose log level: the feed runs at `trace` in each signing mode that runs
// locally (SelfSigned and StoredCertificate with a PFX password, Pkcs11 on SoftHSM2 with a PIN),
// takes a push, a download and wrong-key attempts, and its output holds no password, PIN, API key,
// PEM private key or PFX bytes. The key files it writes are mode 0600.

import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSelfSigned, exportPfx } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { testPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { pushPackage, timedRequest, nupkgUrl } from '../helpers/feed-http.js';
import { freePort, startSeededFeedProcess } from '../helpers/feed-process.js';
import { createSoftHsmToken, pkcs11FeedEnv, softHsmAvailable } from '../kms/pkcs11-softhsm.js';

const API_KEY = 'api-key-that-must-never-be-logged-7f3a';
const PFX_PASSWORD = 'pfx-password-that-must-never-be-logged-91c2';

async function keyFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names.filter((name) => /\.(pfx|p12|key)$/i.test(name)).map((name) => join(dir, name));
}

test('no secret reaches the log at trace level, in every locally runnable signing mode', { timeout: 600_000 }, async (t) => {
  const dir = await tempDirFor(t, 'feed-secrets');
  const stored = await createSelfSigned(dir, { subject: 'reposign secrets test signer', keyBits: 2048 });
  const pfx = await exportPfx(stored, { password: PFX_PASSWORD, legacy: false });
  const pfxBytes = await readFile(pfx);
  const modes: { name: string; env: Record<string, string>; secrets: string[] }[] = [
    { name: 'SelfSigned', env: { Signing__CertificatePasswordSecret: 'Secrets:Pfx', Secrets__Pfx: PFX_PASSWORD, Signing__SelfSigned__KeySize: '2048' }, secrets: [PFX_PASSWORD] },
    { name: 'StoredCertificate', env: { Signing__Mode: 'StoredCertificate', Signing__StoredCertificate__FilePath: pfx, Signing__StoredCertificate__Password: PFX_PASSWORD }, secrets: [PFX_PASSWORD, pfxBytes.toString('base64').slice(0, 64)] },
  ];
  // CI installs SoftHSM2 (.ci/run); a developer machine without it runs the other modes.
  if (softHsmAvailable() || process.env['CI'] === 'true') {
    const token = await createSoftHsmToken(join(dir, 'hsm'));
    token.generateKey('signer', { rsaBits: 2048 });
    modes.push({
      name: 'Pkcs11',
      env: pkcs11FeedEnv(token, 'signer'),
      secrets: [token.pin],
    });
  }
  for (const mode of modes) {
    await t.test(mode.name, async () => {
      const port = await freePort();
      const data = join(dir, `data-${mode.name}`);
      const base = `http://127.0.0.1:${port}`;
      const feed = await startSeededFeedProcess({ Urls: base, ApiKeys__0: API_KEY, Storage__Path: data, Signing__TimestampServerUrl: '', Logging__Level: 'trace', ...mode.env }, dir);
      try {
        const pushed = await pushPackage(base, testPackage({ id: `Secret.${mode.name}`, version: '1.0.0' }), API_KEY);
        assert.equal(pushed.status, 201, pushed.body.toString('utf8'));
        assert.equal((await timedRequest(nupkgUrl(base, `Secret.${mode.name}`, '1.0.0'))).status, 200);
        const basic = `Basic ${Buffer.from(`user:${API_KEY}x`).toString('base64')}`;
        assert.equal((await timedRequest(`${base}/api/v2/package/Secret.${mode.name}/1.0.0`, { method: 'DELETE', headers: { authorization: basic } })).status, 403);
        assert.equal((await timedRequest(`${base}/api/v2/package/Secret.${mode.name}/1.0.0`, { method: 'POST', headers: { 'x-nuget-apikey': `${API_KEY}y` } })).status, 403);
      } finally {
        assert.equal(await feed.stop(), 0);
      }
      const output = feed.stdout();
      // The level really was trace: pino wrote its per-request lines.
      assert.match(output, /"level":30,.*"msg":"incoming request"/);
      for (const secret of [API_KEY, ...mode.secrets]) assert.ok(!output.includes(secret), `${mode.name}: the log holds a secret (${secret.slice(0, 6)}...)`);
      assert.doesNotMatch(output, /PRIVATE KEY-----/);
      for (const file of await keyFiles(data)) {
        assert.equal((await stat(file)).mode & 0o777, 0o600, `${file} is readable by others`);
      }
      if (mode.name === 'SelfSigned') assert.ok((await keyFiles(data)).length > 0, 'the self-signed PFX is under the data folder');
    });
  }
});
