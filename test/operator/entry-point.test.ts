// SPDX-License-Identifier: MIT
// The real `reposign-operator` entry point as a process against the fake API server: it brings a
// RepositorySigner to Ready, serves /healthz, /readyz and /metrics, logs JSON lines, refuses bad
// settings with exit 78, and on SIGTERM releases its lease and exits 0.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { eventually, selfSignedManifest, startOperatorHarness } from './operator-harness.js';

test('reposign-operator: Ready through the real entry point, health and metrics, graceful SIGTERM', { timeout: 120_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  const child = h.spawnOperator({ LEADER_ELECTION: 'true', LEADER_ELECTION_NAMESPACE: 'kube-system', POD_NAME: 'operator-pod-1' });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const port = await eventually(async () => /"healthPort":(\d+)/.exec(stdout)?.[1], 'the operator to log its health port');

  assert.equal((await h.kubectl.run(['apply', '-f', '-'], selfSignedManifest('feed'))).code, 0);
  const waited = await h.kubectl.run(['wait', '--for=condition=Ready', '--timeout=60s', '-n', 'nuget', 'rsig/feed']);
  assert.equal(waited.code, 0, `${waited.stderr}\n${stdout}`);

  const base = `http://127.0.0.1:${port}`;
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /^reposign_operator_leader 1$/m);
  assert.match(metrics, /^reposign_operator_ready\{namespace="nuget",name="feed"\} 1$/m);
  assert.match(metrics, /^reposign_operator_certificate_not_after_seconds\{namespace="nuget",name="feed"\} \d+/m);
  for (const line of stdout.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), `a JSON log line: ${line}`);

  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  const lease = await h.kubectl.run(['get', 'lease', '-n', 'kube-system', 'reposign-operator', '-o', 'jsonpath={.spec.holderIdentity}']);
  assert.equal(lease.stdout, '', 'the lease was released');
});

test('reposign-operator refuses invalid settings with exit 78 and says which', { timeout: 60_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  const child = h.spawnOperator({ LEADER_ELECTION: 'maybe', WORKERS: '0' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 78);
  assert.match(stderr, /LEADER_ELECTION/);
  assert.match(stderr, /WORKERS/);
});
