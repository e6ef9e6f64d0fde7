// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNuGetConfig } from '../../helpers/nuget-config.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

test('writes sources, mode, folder and trusted signers with uppercase fingerprints and escaped values', async (t) => {
  const path = join(await tempDirFor(t, 'config'), 'NuGet.Config');
  await writeNuGetConfig(path, {
    sources: [{ name: 'feed & co', url: 'http://127.0.0.1:5000/v3/index.json', allowInsecureConnections: true }],
    signatureValidationMode: 'require',
    globalPackagesFolder: '/tmp/gp',
    trustedSigners: [
      { kind: 'repository', name: 'feed', serviceIndex: 'https://feed.test/v3/index.json', fingerprints: ['ab:cd'], allowUntrustedRoot: true, owners: ['alice', 'bob<'] },
      { kind: 'author', name: 'me', fingerprints: ['ef01'] },
    ],
  });
  const text = await readFile(path, 'utf8');
  assert.match(text, /<clear \/>/);
  assert.match(text, /<add key="feed &amp; co" value="http:\/\/127\.0\.0\.1:5000\/v3\/index\.json" allowInsecureConnections="true" \/>/);
  assert.match(text, /<add key="signatureValidationMode" value="require" \/>/);
  assert.match(text, /<add key="globalPackagesFolder" value="\/tmp\/gp" \/>/);
  assert.match(text, /<repository name="feed" serviceIndex="https:\/\/feed\.test\/v3\/index\.json">\s*<certificate fingerprint="ABCD" hashAlgorithm="SHA256" allowUntrustedRoot="true" \/>\s*<owners>alice;bob&lt;<\/owners>/);
  assert.match(text, /<author name="me">\s*<certificate fingerprint="EF01" hashAlgorithm="SHA256" allowUntrustedRoot="false" \/>/);
});
