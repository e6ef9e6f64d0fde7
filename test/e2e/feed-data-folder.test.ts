// SPDX-License-Identifier: MIT
// The embedded data folder's lifecycle with real feed processes: one process per folder (a second
// is refused, a killed holder's lock is taken over), and a lost database refuses to start until
// `reposign-feed admin rebuild-index` indexed the stored packages again.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDirFor } from '../../signing/test/helpers/temp-dir.js';
import { testPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { freePort, runFeedProcessToExit, startFeedProcess } from '../helpers/feed-process.js';
import { downloadAndVerify, pushPackage } from '../helpers/feed-http.js';

const SERVICE_DIR = resolve(fileURLToPath(new URL('../../signer-service', import.meta.url)));
const BASE_ENV = { ApiKeys__0: 'k', Signing__TimestampServerUrl: '', Signing__SelfSigned__KeySize: '2048', ShutdownDrainSeconds: '0' };

test('a second process on the same embedded data folder is refused until the holder dies', { timeout: 300_000 }, async (t) => {
  const dir = await tempDirFor(t, 'data-folder-lock');
  const storage = join(dir, 'data');
  const first = await startFeedProcess({ ...BASE_ENV, Urls: `http://127.0.0.1:${await freePort()}`, Storage__Path: storage }, dir, 180_000);
  t.after(() => first.stop());
  const second = await runFeedProcessToExit({ ...BASE_ENV, Urls: `http://127.0.0.1:${await freePort()}`, Storage__Path: storage }, dir, 120_000);
  assert.equal(second.code, 75);
  assert.equal(second.stderr.trim().split('\n').length, 1);
  assert.match(second.stderr, new RegExp(`^reposign: The data folder ${storage} is in use by process ${first.child.pid} on host \\S+ `));

  const killed = new Promise((resolveExit) => first.child.once('exit', resolveExit));
  first.child.kill('SIGKILL');
  await killed;
  // The lock file stays behind; its holder is gone, so the next process takes it over.
  const next = await startFeedProcess({ ...BASE_ENV, Urls: `http://127.0.0.1:${await freePort()}`, Storage__Path: storage }, dir, 180_000);
  assert.equal(await next.stop(), 0);
});

test('a lost database refuses to start; rebuild-index restores every stored package', { timeout: 600_000 }, async (t) => {
  const dir = await tempDirFor(t, 'data-folder-rebuild');
  const storage = join(dir, 'data');
  const env = { ...BASE_ENV, Storage__Path: storage, Signing__SignOnPush: 'false' };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const feed = await startFeedProcess({ ...env, Urls: base }, dir, 180_000);
  t.after(() => feed.stop());
  assert.equal((await pushPackage(base, testPackage({ id: 'Rebuilt.Signed', version: '1.0.0' }), 'k')).status, 201);
  assert.equal((await pushPackage(base, testPackage({ id: 'Rebuilt.Unsigned', version: '2.0.0-beta' }), 'k')).status, 201);
  // Signed on its first download; the other stays stored as pushed.
  assert.equal((await downloadAndVerify(base, 'Rebuilt.Signed', '1.0.0', dir, [feed.fingerprint])).valid, true);
  assert.equal(await feed.stop(), 0);

  await rm(join(storage, 'db'), { recursive: true });
  const refused = await runFeedProcessToExit({ ...env, Urls: base }, dir, 180_000);
  assert.equal(refused.code, 65);
  assert.match(refused.stderr, /^reposign: The database holds no packages but .* holds 2 pushed package generation\(s\).*reposign-feed admin rebuild-index/);

  // The command as an operator types it: the package's `reposign-feed` bin, on the build the feed runs.
  const rebuild = await promisify(execFile)(process.execPath, [join(SERVICE_DIR, 'bin/reposign-feed.js'), 'admin', 'rebuild-index'], {
    cwd: SERVICE_DIR,
    // The same configuration as the feed: signatures name its address, and only those are ours.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', INIT_CWD: dir, ...env, Urls: base },
  });
  assert.match(rebuild.stdout, /imported packages\/rebuilt\.signed\/1\.0\.0\/[0-9a-f-]+\/rebuilt\.signed\.1\.0\.0\.nupkg \(signed\)/);
  assert.match(rebuild.stdout, /imported packages\/rebuilt\.unsigned\/2\.0\.0-beta\/[0-9a-f-]+\/original\.nupkg \(signed on first download\)/);
  assert.match(rebuild.stdout, /rebuild-index: 2 imported, 0 skipped/);

  const restarted = await startFeedProcess({ ...env, Urls: base }, dir, 180_000);
  t.after(() => restarted.stop());
  assert.equal(restarted.fingerprint, feed.fingerprint);
  for (const [id, version] of [['Rebuilt.Signed', '1.0.0'], ['Rebuilt.Unsigned', '2.0.0-beta']] as const) {
    const verification = await downloadAndVerify(base, id, version, dir, [restarted.fingerprint]);
    assert.equal(verification.valid, true, `${id}: ${JSON.stringify(verification.issues)}`);
    assert.match(verification.inspection?.kind ?? '', /repository/);
  }
  assert.equal(await restarted.stop(), 0);
});
