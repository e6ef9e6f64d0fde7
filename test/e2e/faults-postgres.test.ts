// SPDX-License-Identifier: MIT
// PostgreSQL stopped and started again under a running feed process: while it is down, requests
// that need the database get a prompt 503 with Retry-After and readiness is false; once it is back,
// the same process serves pushes and downloads again without a restart.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { testPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { freePort, startFeedProcess } from '../helpers/feed-process.js';
import { downloadAndVerify, nupkgUrl, pushPackage, timedRequest } from '../helpers/feed-http.js';
import { startRestartablePostgres } from '../../signer-service/test/integration/db/postgres-server.js';

const API_KEY = 'faults-key';
/** Generous: a 503 must come long before a client would give up, whatever the machine's load. */
const PROMPT_MS = 15_000;

test('PostgreSQL restarted during traffic: prompt 503s with Retry-After while down, recovery without a feed restart', { timeout: 300_000 }, async (t) => {
  const postgres = await startRestartablePostgres();
  t.after(() => postgres.destroy());
  const dir = await tempDirFor(t, 'faults-postgres');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const feed = await startFeedProcess(
    {
      Urls: base,
      ApiKeys__0: API_KEY,
      Storage__Path: join(dir, 'data'),
      Database__ConnectionString: postgres.connectionString,
      Database__AcquireTimeoutSeconds: '3',
      Signing__TimestampServerUrl: '',
      Signing__SelfSigned__KeySize: '2048',
      Signing__CertificatePassword: 'faults-pw',
    },
    dir,
    120_000,
  );
  t.after(() => feed.stop());

  const before = await pushPackage(base, testPackage({ id: 'Faults.Pg.Before', version: '1.0.0' }), API_KEY);
  assert.equal(before.status, 201, before.body.toString());

  await postgres.stop();
  const ready = await timedRequest(`${base}/health/ready`, {}, PROMPT_MS);
  assert.equal(ready.status, 503, 'not ready while the database is down');
  assert.equal((JSON.parse(ready.body.toString()) as { checks: { database: string } }).checks.database, 'failed');
  const live = await timedRequest(`${base}/health/live`, {}, PROMPT_MS);
  assert.equal(live.status, 200, 'the process itself is alive: no restart wanted');

  const needingDatabase: [string, () => Promise<Awaited<ReturnType<typeof timedRequest>>>][] = [
    ['push', () => pushPackage(base, testPackage({ id: 'Faults.Pg.During', version: '1.0.0' }), API_KEY, PROMPT_MS)],
    ['versions', () => timedRequest(`${base}/v3/flatcontainer/faults.pg.before/index.json`, {}, PROMPT_MS)],
    ['registration', () => timedRequest(`${base}/v3/registration/faults.pg.before/index.json`, {}, PROMPT_MS)],
    ['search', () => timedRequest(`${base}/v3/search?q=faults`, {}, PROMPT_MS)],
  ];
  for (const [name, request] of needingDatabase) {
    const response = await request();
    assert.equal(response.status, 503, `${name}: ${response.status} ${response.body.toString()}`);
    assert.match(response.retryAfter ?? '', /^\d+$/, `${name}: Retry-After`);
    assert.doesNotMatch(response.body.toString(), new RegExp(dir.replaceAll('/', '\\/')), `${name}: no server path in the answer`);
  }

  await postgres.start();
  const deadline = Date.now() + 60_000;
  let status = 0;
  while (Date.now() < deadline && status !== 200) {
    status = (await timedRequest(`${base}/health/ready`, {}, PROMPT_MS)).status;
    if (status !== 200) await sleep(250);
  }
  assert.equal(status, 200, 'ready again once the database is back');
  assert.equal(feed.child.exitCode, null, 'the feed process was never restarted');

  const after = await pushPackage(base, testPackage({ id: 'Faults.Pg.After', version: '1.0.0' }), API_KEY);
  assert.equal(after.status, 201, after.body.toString());
  const retried = await pushPackage(base, testPackage({ id: 'Faults.Pg.During', version: '1.0.0' }), API_KEY);
  assert.equal(retried.status, 201, `the push refused during the outage succeeds on retry: ${retried.body.toString()}`);
  for (const id of ['Faults.Pg.Before', 'Faults.Pg.During', 'Faults.Pg.After']) {
    const verification = await downloadAndVerify(base, id, '1.0.0', dir, [feed.fingerprint]);
    assert.equal(verification.valid, true, `${id}: ${JSON.stringify(verification.issues)}`);
  }
  assert.equal((await timedRequest(nupkgUrl(base, 'Faults.Pg.Missing', '1.0.0'))).status, 404);
});
