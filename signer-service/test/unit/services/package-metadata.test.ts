// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReposignError, parseNuspec } from '@reposign/signing';
import { identityFromNuspec } from '../../../src/services/package-metadata.js';

const NUSPEC = `<?xml version="1.0"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata>
  <id>Contoso.Utils</id><version>1.0.0-rc.1</version><authors>A, B</authors><description>Utils &amp; more</description>
  <tags>one two</tags><requireLicenseAcceptance>true</requireLicenseAcceptance>
  <dependencies><group targetFramework="net8.0"><dependency id="Dep" version="[1.0.0, )" /></group><group targetFramework="netstandard2.0" /></dependencies>
  <packageTypes><packageType name="DotnetTool" /></packageTypes>
</metadata></package>`;

test('keeps the fields registration and search show, and the NuGet forms of the version', () => {
  const identity = identityFromNuspec(parseNuspec(NUSPEC));
  assert.equal(identity.id, 'Contoso.Utils');
  assert.equal(identity.idLower, 'contoso.utils');
  assert.equal(identity.versionLower, '1.0.0-rc.1');
  assert.equal(identity.prerelease, true);
  assert.equal(identity.metadata.description, 'Utils & more');
  assert.deepEqual(identity.metadata.tags, ['one', 'two']);
  assert.equal(identity.metadata.requireLicenseAcceptance, true);
  assert.equal(identity.semVer2, true);
  assert.deepEqual(identity.metadata.dependencyGroups, [
    { targetFramework: 'net8.0', dependencies: [{ id: 'Dep', range: '[1.0.0, )' }] },
    { targetFramework: 'netstandard2.0', dependencies: [] },
  ]);
  assert.deepEqual(identity.metadata.packageTypes, ['DotnetTool']);
});

test('a SemVer 2.0 dependency range makes the package SemVer 2.0; a plain one does not', () => {
  const stable = NUSPEC.replace('1.0.0-rc.1', '1.0.0');
  assert.equal(identityFromNuspec(parseNuspec(stable)).semVer2, false);
  assert.equal(identityFromNuspec(parseNuspec(stable.replace('[1.0.0, )', '[1.0.0-rc.1, )'))).semVer2, true);
});

test('refuses bad ids, bad versions and malformed XML with NUSPEC_INVALID', () => {
  for (const xml of [
    NUSPEC.replace('<id>Contoso.Utils</id>', '<id>bad id</id>'),
    NUSPEC.replace('<version>1.0.0-rc.1</version>', '<version>one</version>'),
    '<package><metadata>',
    '<nothing/>',
  ]) {
    assert.throws(() => identityFromNuspec(parseNuspec(xml)), (error: unknown) => isReposignError(error, 'NUSPEC_INVALID'), xml.slice(0, 60));
  }
});
