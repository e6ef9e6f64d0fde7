// SPDX-License-Identifier: MIT
// Two feed processes sharing one PostgreSQL server and one storage, started at the same moment in
// SelfSigned mode with no certificate yet: the database lock lets exactly one generate it.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { startPostgres } from '../../signer-service/test/integration/db/postgres-server.js';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { freePort, startFeedProcess } from '../helpers/feed-process.js';

test('two replicas starting together on one PostgreSQL generate exactly one self-signed certificate', { timeout: 240_000 }, async (t) => {
  const connectionString = await startPostgres(t);
  const dir = await tempDirFor(t, 'replicas-startup');
  const env = async (): Promise<Record<string, string>> => ({
    Urls: `http://127.0.0.1:${await freePort()}`,
    Storage__Path: join(dir, 'shared'),
    Database__ConnectionString: connectionString,
    Signing__TimestampServerUrl: '',
    Signing__SelfSigned__KeySize: '2048',
    Signing__CertificatePassword: 'replica-pw',
  });
  const [one, two] = await Promise.all([startFeedProcess(await env(), dir, 120_000), startFeedProcess(await env(), dir, 120_000)]);
  t.after(async () => {
    await one.stop();
    await two.stop();
  });
  assert.match(one.fingerprint, /^[0-9A-F]{64}$/);
  assert.equal(one.fingerprint, two.fingerprint, 'both replicas sign with the one certificate');
  const generated = [one, two].filter((feed) => /generated a self-signed certificate/.test(feed.stdout())).length;
  assert.equal(generated, 1, 'exactly one replica generated it');
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ fingerprint_sha256: string }>('SELECT fingerprint_sha256 FROM certificates');
    assert.deepEqual(rows.map((row) => row.fingerprint_sha256), [one.fingerprint.toLowerCase()]);
  } finally {
    await client.end();
  }
});
