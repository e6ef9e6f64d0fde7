// SPDX-License-Identifier: MIT
// PublicBaseUrl is required outside loopback; limits and AllowedHosts are read from the config.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { isFeedError } from '../../../src/errors.js';
import { acceptedHostNames } from '../../../src/http/public-url.js';

const load = (env: Record<string, string>) => loadConfig({ argv: [], cwd: '/tmp', env: { Signing__SelfSigned__KeySize: '2048', ...env } }).config;

test('listening beyond loopback without PublicBaseUrl is refused with one sentence naming the address', () => {
  for (const urls of ['http://0.0.0.0:8080', 'http://*:5000', 'http://10.0.0.5:5000', 'http://[::]:5000', 'http://feed.internal:5000']) {
    assert.throws(
      () => load({ Urls: urls }),
      (error: unknown) => isFeedError(error, 'CONFIG_INVALID') && /PublicBaseUrl: must be set because Urls listens beyond loopback \(http:\/\/.+\)/.test(error.message),
      urls,
    );
    // AllowedHosts alone does not name the address signatures carry.
    assert.throws(() => load({ Urls: urls, AllowedHosts__0: 'feed.example' }), (error: unknown) => isFeedError(error, 'CONFIG_INVALID'), urls);
    assert.equal(load({ Urls: urls, PublicBaseUrl: 'https://feed.example/' }).publicBaseUrl, 'https://feed.example');
  }
  for (const urls of ['http://localhost:5000', 'http://127.0.0.1:5000', 'http://[::1]:5000']) assert.equal(load({ Urls: urls }).publicBaseUrl, undefined, urls);
});

test('accepted Host names: any with PublicBaseUrl alone, else PublicBaseUrl, AllowedHosts and loopback names', () => {
  assert.equal(acceptedHostNames(load({ PublicBaseUrl: 'https://feed.example' })), undefined);
  assert.deepEqual([...(acceptedHostNames(load({ Urls: 'http://0.0.0.0:80', PublicBaseUrl: 'https://Feed.Example', AllowedHosts__0: 'Mirror.Example' })) ?? [])].sort(), ['feed.example', 'mirror.example']);
  assert.ok(acceptedHostNames(load({}))?.has('localhost'));
  assert.ok(acceptedHostNames(load({ AllowedHosts__0: 'dev.box' }))?.has('dev.box'));
});

test('limits: defaults, and configured values in milliseconds', () => {
  assert.deepEqual(load({}).limits, { maxConnections: 1000, bodyIdleTimeoutMs: 30_000, bodyMinBytesPerSecond: 1024, bodyMinRateWindowMs: 10_000, maxConcurrentPushes: 0 });
  assert.equal(load({}).maxFailedApiKeyAttemptsPerMinute, 10);
  const tuned = load({
    Limits__MaxConnections: '5',
    Limits__BodyIdleTimeoutSeconds: '0.5',
    Limits__BodyMinBytesPerSecond: '0',
    Limits__BodyMinRateWindowSeconds: '2',
    Limits__MaxConcurrentPushes: '2',
    Authentication__MaxFailedAttemptsPerMinute: '3',
  });
  assert.deepEqual(tuned.limits, { maxConnections: 5, bodyIdleTimeoutMs: 500, bodyMinBytesPerSecond: 0, bodyMinRateWindowMs: 2000, maxConcurrentPushes: 2 });
  assert.equal(tuned.maxFailedApiKeyAttemptsPerMinute, 3);
  assert.throws(() => load({ Limits__MaxConnections: '0' }), (error: unknown) => isFeedError(error, 'CONFIG_INVALID') && /Limits:MaxConnections/.test(error.message));
  assert.throws(() => load({ Limits__MaxConcurrentPushes: '-1' }), (error: unknown) => isFeedError(error, 'CONFIG_INVALID') && /Limits:MaxConcurrentPushes/.test(error.message));
});
