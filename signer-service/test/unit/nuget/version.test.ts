// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions, isSemVer2, normalizeVersion, parseVersion, rangeIsSemVer2, tryParseVersion, versionKey } from '../../../src/nuget/version.js';

test('normalization follows NuGetVersion.ToNormalizedString', () => {
  const cases: Record<string, string> = {
    '1.0': '1.0.0',
    '01.002.0003': '1.2.3',
    '1.2.3.0': '1.2.3',
    '1.2.3.4': '1.2.3.4',
    '1.0.0-Beta.1+build.5': '1.0.0-Beta.1',
    '2': '2.0.0',
  };
  for (const [input, expected] of Object.entries(cases)) assert.equal(normalizeVersion(parseVersion(input)), expected, input);
  assert.equal(versionKey(parseVersion('1.0.0-Beta')), '1.0.0-beta');
});

test('invalid versions are refused', () => {
  for (const bad of ['', '1.2.3.4.5', 'a.b', '1.0-', '1.0.0-beta..1', '1.0.0+', ' ']) assert.equal(tryParseVersion(bad), undefined, bad);
});

test('ordering: numbers, prerelease before stable, numeric labels before alphanumeric', () => {
  const sorted = ['1.0.0', '1.0.0-beta.2', '1.0.0-alpha', '1.0.0-beta.10', '0.9.0', '1.0.0.1', '1.0.0-Beta.2']
    .map(parseVersion)
    .sort(compareVersions)
    .map(normalizeVersion);
  assert.deepEqual(sorted, ['0.9.0', '1.0.0-alpha', '1.0.0-beta.2', '1.0.0-Beta.2', '1.0.0-beta.10', '1.0.0', '1.0.0.1']);
});

test('SemVer 2.0 detection on versions and dependency ranges', () => {
  assert.equal(isSemVer2(parseVersion('1.0.0-beta')), false);
  assert.equal(isSemVer2(parseVersion('1.0.0-beta.1')), true);
  assert.equal(isSemVer2(parseVersion('1.0.0+git')), true);
  assert.equal(rangeIsSemVer2('[1.0.0, 2.0.0)'), false);
  assert.equal(rangeIsSemVer2('[1.0.0-rc.1, )'), true);
});
