// SPDX-License-Identifier: MIT
// A key that needs no database is judged before the database is opened: a misconfigured one fails
// at once and leaves no embedded database behind; a SelfSigned key still gets its database lock.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { isFeedError } from '../../../src/errors.js';
import { openFeed } from '../../../src/feed.js';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';

function configFor(storage: string, env: Record<string, string>): ReturnType<typeof loadConfig>['config'] {
  return loadConfig({ argv: [], cwd: storage, env: { Storage__Path: storage, Signing__TimestampServerUrl: '', Signing__SelfSigned__KeySize: '2048', ...env } }).config;
}

test('a stored certificate that cannot be read is refused before the embedded database exists, and refused again the same way', async (t) => {
  const storage = await tempDirFor(t, 'key-first');
  const pem = join(storage, 'not-a-key.pem');
  await writeFile(pem, 'not a certificate\n');
  const config = configFor(storage, { Signing__Mode: 'StoredCertificate', Signing__StoredCertificate__FilePath: pem });
  for (let attempt = 0; attempt < 2; attempt++) {
    await assert.rejects(openFeed(config), (error: unknown) => isFeedError(error, 'CONFIG_INVALID') && error.message.startsWith('Signing:StoredCertificate:FilePath: '));
    // The second attempt also shows the data folder's lock was released.
    assert.equal(existsSync(join(storage, 'db')), false, 'an embedded database was created for a refused key');
  }
});

test('a SelfSigned key, which needs the database for its lock, is still generated and the feed opens', async (t) => {
  const storage = await tempDirFor(t, 'self-signed-after-db');
  const feed = await openFeed(configFor(storage, {}));
  t.after(() => feed.close());
  assert.equal(feed.ctx.db.kind, 'embedded');
  assert.ok(feed.certificateGeneratedBecause !== undefined);
  assert.equal(existsSync(join(storage, 'db')), true);
});
