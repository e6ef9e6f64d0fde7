// SPDX-License-Identifier: MIT
// The timestamp authority down or stalled under a running feed process: with several TSAs listed
// (`Signing__TimestampServerUrl` separated by ';'), a push fails over past one that refuses
// connections and one that never answers, and the package carries a valid timestamp from the next;
// with every TSA failing, the configured policy applies (StoredCertificate: no unsigned package,
// a 503 that names the timestamp failure) and a retry succeeds once a TSA is back.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { testPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { createSelfSigned, exportPfx } from '../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { startTsa } from '../../signing/test/helpers/tsa-server.js';
import { freePort, startSeededFeedProcess } from '../helpers/feed-process.js';
import { downloadAndVerify, pushPackage, timedRequest } from '../helpers/feed-http.js';

const API_KEY = 'faults-key';

test('TSA refusing and TSA stalling: the push fails over to the next TSA; all down gives a clear 503 and nothing unsigned', { timeout: 300_000 }, async (t) => {
  const dir = await tempDirFor(t, 'faults-tsa');
  const stalled = await startTsa({ mode: 'hang' });
  t.after(() => stalled.close());
  const good = await startTsa();
  t.after(() => good.close());
  const refusing = `http://127.0.0.1:${await freePort()}/`;
  const certificate = await createSelfSigned(dir, { subject: 'Reposign Faults TSA', keyBits: 2048 });
  const pfx = await exportPfx(certificate, { password: 'pw', legacy: false, fileName: 'signing.pfx' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const feed = await startSeededFeedProcess(
    {
      Urls: base,
      ApiKeys__0: API_KEY,
      Storage__Path: join(dir, 'data'),
      Signing__Mode: 'StoredCertificate',
      Signing__StoredCertificate__FilePath: pfx,
      Signing__StoredCertificate__Password: 'pw',
      Signing__TimestampServerUrl: `${refusing};${stalled.url};${good.url}`,
    },
    dir,
  );
  t.after(() => feed.stop());

  const pushed = await pushPackage(base, testPackage({ id: 'Faults.Tsa.Failover', version: '1.0.0' }), API_KEY, 120_000);
  assert.equal(pushed.status, 201, pushed.body.toString());
  assert.equal(stalled.requests, 1, 'the stalled TSA was asked, and given up on');
  assert.equal(good.requests, 1, 'the next TSA produced the timestamp');
  const verification = await downloadAndVerify(base, 'Faults.Tsa.Failover', '1.0.0', dir, [certificate.fingerprintSha256]);
  assert.equal(verification.valid, true, JSON.stringify(verification.issues));
  const timestamps = verification.inspection?.signatures[0]?.timestamps ?? [];
  assert.deepEqual(timestamps.map((stamp) => stamp.tsaFingerprintSha256), [good.tsa.fingerprintSha256.toLowerCase()]);

  good.mode = 'http-500';
  const refused = await pushPackage(base, testPackage({ id: 'Faults.Tsa.AllDown', version: '1.0.0' }), API_KEY, 120_000);
  assert.equal(refused.status, 503, refused.body.toString());
  assert.match(refused.retryAfter ?? '', /^\d+$/);
  const message = (JSON.parse(refused.body.toString()) as { message: string }).message;
  assert.match(message, /timestamp/i, 'the answer names the timestamp failure');
  assert.doesNotMatch(message, new RegExp(dir.replaceAll('/', '\\/')), 'no server path in the answer');
  assert.equal((await timedRequest(`${base}/v3/flatcontainer/faults.tsa.alldown/index.json`)).status, 404, 'nothing published unsigned');

  good.mode = 'ok';
  const retried = await pushPackage(base, testPackage({ id: 'Faults.Tsa.AllDown', version: '1.0.0' }), API_KEY, 120_000);
  assert.equal(retried.status, 201, retried.body.toString());
  const again = await downloadAndVerify(base, 'Faults.Tsa.AllDown', '1.0.0', dir, [certificate.fingerprintSha256]);
  assert.equal(again.valid, true, JSON.stringify(again.issues));
  assert.equal(again.inspection?.signatures[0]?.timestamps.length, 1);
});
