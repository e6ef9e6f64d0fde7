// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReposignError } from '@reposign/signing';
import { parseNuspec } from '../../../src/nuget/nuspec.js';

const NUSPEC = `<?xml version="1.0"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata>
  <id>Contoso.Utils</id><version>1.0.0-rc.1</version><authors>A, B</authors><description>Utils &amp; more</description>
  <tags>one two</tags><requireLicenseAcceptance>true</requireLicenseAcceptance>
  <dependencies><group targetFramework="net8.0"><dependency id="Dep" version="[1.0.0, )" /></group><group targetFramework="netstandard2.0" /></dependencies>
  <packageTypes><packageType name="DotnetTool" /></packageTypes>
</metadata></package>`;

test('parses the fields registration and search show', () => {
  const nuspec = parseNuspec(NUSPEC);
  assert.equal(nuspec.id, 'Contoso.Utils');
  assert.equal(nuspec.description, 'Utils & more');
  assert.deepEqual(nuspec.tags, ['one', 'two']);
  assert.equal(nuspec.requireLicenseAcceptance, true);
  assert.equal(nuspec.semVer2, true);
  assert.deepEqual(nuspec.dependencyGroups, [
    { targetFramework: 'net8.0', dependencies: [{ id: 'Dep', range: '[1.0.0, )' }] },
    { targetFramework: 'netstandard2.0', dependencies: [] },
  ]);
  assert.deepEqual(nuspec.packageTypes, ['DotnetTool']);
});

test('refuses bad ids, bad versions and malformed XML with NUSPEC_INVALID', () => {
  for (const xml of [
    NUSPEC.replace('<id>Contoso.Utils</id>', '<id>bad id</id>'),
    NUSPEC.replace('<version>1.0.0-rc.1</version>', '<version>one</version>'),
    '<package><metadata>',
    '<nothing/>',
  ]) {
    assert.throws(() => parseNuspec(xml), (error: unknown) => isReposignError(error, 'NUSPEC_INVALID'), xml.slice(0, 60));
  }
});
