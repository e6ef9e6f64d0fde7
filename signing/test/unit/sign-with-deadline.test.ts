// SPDX-License-Identifier: MIT
// The engine's one signing call: a key that never answers times out, a cancelled signing stops at
// once even when the key ignores its signal, and a backend's plain error becomes SIGNING_FAILED.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ReposignError, isReposignError } from '../../src/errors.js';
import type { SigningKey, SignOptions } from '../../src/signing-key.js';
import { signWithDeadline } from '../../src/sign-with-deadline.js';

/** A key whose sign() does what `behaviour` says and records the signal it was given. */
function fakeKey(behaviour: (options: SignOptions) => Promise<Uint8Array>): SigningKey & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    kind: 'Fake',
    signals,
    certificateChain: () => [],
    sign: (_input, _hash, options) => {
      signals.push(options.signal);
      return behaviour(options);
    },
    close: async () => undefined,
  };
}

const never = (): Promise<Uint8Array> => new Promise(() => undefined);
const input = { data: Buffer.from('x') };

describe('signWithDeadline', () => {
  test('returns the signature of a key that answers in time', async () => {
    const key = fakeKey(async () => Uint8Array.of(1, 2, 3));
    assert.deepEqual(await signWithDeadline(key, input, 'SHA256', { timeoutMs: 1000 }), Uint8Array.of(1, 2, 3));
  });

  test('a key that never answers is SIGNING_TIMEOUT, and its signal is aborted', async () => {
    const key = fakeKey(never);
    const started = Date.now();
    await assert.rejects(signWithDeadline(key, input, 'SHA256', { timeoutMs: 50 }), (error: unknown) => isReposignError(error, 'SIGNING_TIMEOUT'));
    assert.ok(Date.now() - started < 2000);
    assert.equal(key.signals[0]?.aborted, true);
  });

  test('a caller abort stops a key that ignores its signal promptly: SIGNING_ABORTED', async () => {
    const key = fakeKey(never);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutdown')), 20);
    const started = Date.now();
    await assert.rejects(signWithDeadline(key, input, 'SHA256', { timeoutMs: 60_000, signal: controller.signal }), (error: unknown) => {
      assert.ok(isReposignError(error, 'SIGNING_ABORTED'));
      assert.equal((error.cause as Error).message, 'shutdown');
      return true;
    });
    assert.ok(Date.now() - started < 2000, 'the abort did not wait for the timeout');
    assert.equal(key.signals[0]?.aborted, true);
  });

  test('an already aborted signal never reaches the key', async () => {
    const key = fakeKey(async () => Uint8Array.of(1));
    await assert.rejects(signWithDeadline(key, input, 'SHA256', { signal: AbortSignal.abort() }), (error: unknown) => isReposignError(error, 'SIGNING_ABORTED'));
    assert.equal(key.signals.length, 0);
  });

  test("a backend's plain error is SIGNING_FAILED with the cause kept; its ReposignError passes through", async () => {
    const cause = new Error('HSM offline');
    await assert.rejects(signWithDeadline(fakeKey(() => Promise.reject(cause)), input, 'SHA256'), (error: unknown) => isReposignError(error, 'SIGNING_FAILED') && error.cause === cause);
    const own = new ReposignError('SIGNING_UNAVAILABLE', 'KMS throttled');
    await assert.rejects(signWithDeadline(fakeKey(() => Promise.reject(own)), input, 'SHA256'), (error: unknown) => error === own);
  });
});
