// SPDX-License-Identifier: MIT
// A Secret written with stringData is stored as data, as the real API server converts it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHarness } from './test-harness.js';

test('kubectl apply of a Secret with stringData stores base64 data and no stringData; stringData wins over data', async (t) => {
  const h = await startHarness(t);
  const manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'default' },
    data: { kept: Buffer.from('old').toString('base64'), both: Buffer.from('from data').toString('base64') },
    stringData: { plain: 'héllo', both: 'from stringData' },
  };
  const applied = await h.kubectl.run(['apply', '-f', '-'], JSON.stringify(manifest));
  assert.equal(applied.code, 0, applied.stderr);
  const got = await h.kubectl.run(['get', 'secret', 's', '-o', 'json']);
  const secret = JSON.parse(got.stdout) as { data: Record<string, string>; stringData?: unknown };
  assert.equal(secret.stringData, undefined);
  assert.deepEqual(
    Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')])),
    { kept: 'old', both: 'from stringData', plain: 'héllo' },
  );
  const decoded = await h.kubectl.run(['get', 'secret', 's', '-o', 'jsonpath={.data.plain}']);
  assert.equal(Buffer.from(decoded.stdout, 'base64').toString('utf8'), 'héllo');
});
