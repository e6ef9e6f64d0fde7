// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findNuGetOrgPackage, nugetOrgPackages, signatureShape } from '../../helpers/nuget-fixtures.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

test('lists the nuget.org packages folder and classifies their signatures', async (t) => {
  const packages = await nugetOrgPackages();
  if (packages.length === 0 && process.env.CI !== 'true') {
    t.skip('/opt/nuget/packages is absent');
    return;
  }
  assert.ok(packages.length > 0);
  for (const pkg of packages) {
    assert.ok(pkg.path.endsWith(`/${pkg.id}/${pkg.version}/${pkg.id}.${pkg.version}.nupkg`));
    assert.ok(pkg.size > 0);
  }
  const xunit = packages.find((pkg) => pkg.id === 'xunit.abstractions');
  assert.ok(xunit !== undefined);
  assert.equal(await signatureShape(xunit.path), 'author+repository-countersignature');
  const countersigned = await findNuGetOrgPackage('author+repository-countersignature');
  assert.ok(countersigned !== undefined);
});

test('a missing folder gives an empty list', async (t) => {
  const dir = await tempDirFor(t, 'fixtures');
  assert.deepEqual(await nugetOrgPackages(`${dir}/absent`), []);
});
