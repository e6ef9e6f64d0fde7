// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReposignError } from '@reposign/signing';
import type { SigningConfig } from '../../../src/config/config.js';
import { FeedError, isFeedError } from '../../../src/errors.js';
import { applySigningFailurePolicy } from '../../../src/services/signing-failure-policy.js';

const failed = { id: 'Pkg', version: '1.0.0', action: 'served' } as const;

function signing(mode: SigningConfig['mode'], allowUnsignedOnFailure: boolean): SigningConfig {
  return { mode, allowUnsignedOnFailure } as SigningConfig;
}

test("the client's fault and failures outside the engine are rethrown as they are", () => {
  const cases: Record<string, unknown> = {
    'a bad package': new ReposignError('NUSPEC_INVALID', 'bad'),
    'a bad signature': new ReposignError('SIGNATURE_INTEGRITY', 'tampered'),
    'a busy database': new FeedError('FEED_DATABASE_BUSY', 'busy'),
    'a deleted package': new FeedError('FEED_PACKAGE_NOT_FOUND', 'gone'),
    'a storage failure': new Error('EIO'),
  };
  for (const [name, error] of Object.entries(cases)) {
    for (const config of [signing('SelfSigned', true), signing('StoredCertificate', false)]) {
      assert.throws(() => applySigningFailurePolicy(config, failed, error), (thrown: unknown) => thrown === error, name);
    }
  }
});

test('a key or service failure is a 503 naming the package, unless SelfSigned allows unsigned', () => {
  for (const error of [new ReposignError('TIMESTAMP_FAILED', 'TSA down.'), new ReposignError('SIGNING_FAILED', 'key broken')]) {
    assert.doesNotThrow(() => applySigningFailurePolicy(signing('SelfSigned', true), failed, error));
    for (const config of [signing('SelfSigned', false), signing('StoredCertificate', true)]) {
      assert.throws(
        () => applySigningFailurePolicy(config, failed, error),
        (thrown: unknown) =>
          isFeedError(thrown, 'FEED_SIGNING_UNAVAILABLE') && thrown.cause === error && /^Package Pkg 1\.0\.0 was not served: this feed could not repository-sign it \((TSA down|key broken)\)\./.test(thrown.message),
      );
    }
  }
});
