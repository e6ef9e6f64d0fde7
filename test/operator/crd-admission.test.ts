// SPDX-License-Identifier: MIT
// The generated CRD as the API server enforces it, with the real kubectl: every example applies,
// and invalid RepositorySigners are refused at `kubectl apply` with the CRD's own messages.

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startOperatorHarness } from './operator-harness.js';

const EXAMPLES = fileURLToPath(new URL('../../operator/examples/', import.meta.url));

function signer(spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'reposign.dev/v1alpha1', kind: 'RepositorySigner', metadata: { name: 'bad', namespace: 'nuget' }, spec });
}

const SELF_SIGNED = { mode: 'SelfSigned', selfSigned: {}, secretName: 'bad-signing' };

test('every example RepositorySigner applies and kubectl get rsig lists it', { timeout: 60_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  const files = (await readdir(EXAMPLES)).filter((file) => file.endsWith('.yaml')).sort();
  assert.ok(files.length >= 7);
  for (const file of files) {
    const manifest = await readFile(`${EXAMPLES}${file}`, 'utf8');
    const applied = await h.kubectl.run(['apply', '-f', '-'], manifest);
    assert.equal(applied.code, 0, `${file}: ${applied.stderr}`);
    assert.match(applied.stdout, /^repositorysigner\.reposign\.dev\/\S+ created$/m, file);
    const listed = await h.kubectl.run(['get', 'rsig', '-A', '--no-headers']);
    assert.equal(listed.stdout.trim().split('\n').length, 1, file);
    // No operator runs here, so no finalizer holds the delete.
    assert.equal((await h.kubectl.run(['delete', '-f', '-'], manifest)).code, 0, file);
  }
});

const INVALID: Record<string, { spec: Record<string, unknown>; message: RegExp }> = {
  'two provider blocks': {
    spec: { ...SELF_SIGNED, storedCertificate: { fileSecretRef: { name: 'x', key: 'tls.crt' } } },
    message: /exactly one provider block \(.*\) must be set/,
  },
  'a 1024-bit key': {
    spec: { ...SELF_SIGNED, certificate: { privateKey: { size: 1024 } } },
    message: /privateKey.size must be 2048, 3072 or 4096: NuGet rejects RSA keys shorter than 2048 bits/,
  },
  'a block that does not match the mode': {
    spec: { mode: 'StoredCertificate', selfSigned: {}, secretName: 'bad-signing' },
    message: /the provider block must match spec.mode/,
  },
  'renewBefore longer than duration': {
    spec: { ...SELF_SIGNED, certificate: { duration: '24h', renewBefore: '48h' } },
    message: /renewBefore must be shorter than duration/,
  },
  'SelfSigned without secretName': {
    spec: { mode: 'SelfSigned', selfSigned: {} },
    message: /secretName is required for mode SelfSigned/,
  },
  'mode AwsSigner (no NuGet-compatible signatures)': {
    spec: { mode: 'AwsSigner', selfSigned: {}, secretName: 'bad-signing' },
    message: /spec\.mode: Unsupported value: "AwsSigner"/,
  },
};

test('kubectl apply refuses invalid RepositorySigners with the CRD messages', { timeout: 60_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  for (const [name, { spec, message }] of Object.entries(INVALID)) {
    const applied = await h.kubectl.run(['apply', '-f', '-'], signer(spec));
    assert.equal(applied.code, 1, `${name}: ${applied.stdout}`);
    assert.match(applied.stderr, /The RepositorySigner "bad" is invalid/, name);
    assert.match(applied.stderr, message, `${name}: ${applied.stderr}`);
  }
  const awsSigner = await h.kubectl.run(['apply', '-f', '-'], signer({ mode: 'AwsSigner', awsSigner: {} }));
  assert.equal(awsSigner.code, 1);
  assert.match(awsSigner.stderr, /strict decoding error: unknown field "spec\.awsSigner"/, 'the CRD has no AwsSigner block at all');
  assert.equal((await h.kubectl.run(['get', 'rsig', '-n', 'nuget', '--no-headers'])).stdout.trim(), '', 'nothing was stored');
});

test('secretName is immutable once set', { timeout: 60_000 }, async (t) => {
  const h = await startOperatorHarness(t);
  assert.equal((await h.kubectl.run(['apply', '-f', '-'], signer(SELF_SIGNED))).code, 0);
  const changed = await h.kubectl.run(['apply', '-f', '-'], signer({ ...SELF_SIGNED, secretName: 'other' }));
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /secretName is immutable/);
});
