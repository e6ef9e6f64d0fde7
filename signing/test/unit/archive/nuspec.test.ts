// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isReposignError, type ErrorCode } from '../../../src/errors.js';
import { PackageArchive, readNuspec } from '../../../src/archive/index.js';
import { parseNuspec } from '../../../src/archive/nuspec.js';
import { readPackageSignature } from '../../../src/package-signature.js';
import { tempDirFor } from '../../helpers/temp-dir.js';
import { buildZip, samplePackageEntries, type ZipBuilderEntry } from '../../helpers/zip-builder.js';

async function nuspecOf(t: TestContext, entries: ZipBuilderEntry[]): Promise<ReturnType<typeof readNuspec>> {
  const path = join(await tempDirFor(t, 'nuspec'), 'p.nupkg');
  await writeFile(path, buildZip(entries).bytes);
  const archive = await PackageArchive.open(path);
  t.after(() => archive.close());
  return readNuspec(archive);
}

function rejectsWith(code: ErrorCode): (error: unknown) => boolean {
  return (error) => isReposignError(error, code);
}

test('reads id, version and authors from namespaced, commented, entity-escaped manifests', () => {
  const xml =
    '\ufeff<?xml version="1.0"?>\n<!-- a > comment -->\n<nu:package xmlns:nu="urn:x" a="1>2">' +
    '<nu:metadata minClientVersion="2.12"><nu:id> My.Pkg </nu:id><nu:version>1.0.0-beta&#x2B;b</nu:version>' +
    '<nu:authors>A &amp; B</nu:authors><nu:dependencies><nu:dependency id="Other" version="2.0"/></nu:dependencies>' +
    '<nu:description><![CDATA[<id>not me</id>]]></nu:description></nu:metadata></nu:package>';
  assert.deepEqual(parseNuspec(xml), {
    id: 'My.Pkg',
    version: '1.0.0-beta+b',
    authors: 'A & B',
    title: '',
    description: '<id>not me</id>',
    summary: '',
    tags: [],
    projectUrl: '',
    iconUrl: '',
    licenseUrl: '',
    requireLicenseAcceptance: false,
    dependencyGroups: [{ targetFramework: '', dependencies: [{ id: 'Other', range: '2.0' }] }],
    packageTypes: [],
    xml,
  });
});

const NUSPEC = `<?xml version="1.0"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata>
  <id>Contoso.Utils</id><version>1.0.0-rc.1</version><authors>A, B</authors><description>Utils &amp; more</description>
  <tags>one two</tags><requireLicenseAcceptance>true</requireLicenseAcceptance>
  <dependencies><group targetFramework="net8.0"><dependency id="Dep" version="[1.0.0, )" /></group><group targetFramework="netstandard2.0" /></dependencies>
  <packageTypes><packageType name="DotnetTool" /></packageTypes>
</metadata></package>`;

test('reads the fields registration and search show', () => {
  const nuspec = parseNuspec(NUSPEC);
  assert.equal(nuspec.id, 'Contoso.Utils');
  assert.equal(nuspec.description, 'Utils & more');
  assert.deepEqual(nuspec.tags, ['one', 'two']);
  assert.equal(nuspec.requireLicenseAcceptance, true);
  assert.deepEqual(nuspec.dependencyGroups, [
    { targetFramework: 'net8.0', dependencies: [{ id: 'Dep', range: '[1.0.0, )' }] },
    { targetFramework: 'netstandard2.0', dependencies: [] },
  ]);
  assert.deepEqual(nuspec.packageTypes, ['DotnetTool']);
});

test('reads attributes as XML does: either quote, entities decoded, dependencies without an id skipped', () => {
  const nuspec = parseNuspec(
    "<package><metadata><id>a</id><version>1.0.0</version><dependencies><dependency version='1.0'/>" +
      '<dependency id="B&amp;C" version=\'[1.0, 2.0)\'/><group targetFramework=\'net8.0\'/></dependencies>' +
      '<packageTypes><packageType name="&#x44;otnetTool"/><packageType/></packageTypes></metadata></package>',
  );
  assert.deepEqual(nuspec.dependencyGroups, [
    { targetFramework: '', dependencies: [{ id: 'B&C', range: '[1.0, 2.0)' }] },
    { targetFramework: 'net8.0', dependencies: [] },
  ]);
  assert.deepEqual(nuspec.packageTypes, ['DotnetTool']);
});

test('refuses DTDs, broken XML and manifests without id or version', () => {
  const cases = [
    '<!DOCTYPE package [<!ENTITY x "y">]><package><metadata><id>a</id><version>1</version></metadata></package>',
    '<package><metadata><id>a</id><version>1</version></metadata>',
    '<package><metadata><id>a</id><version>1</version></metadatum></package>',
    '<package><metadata><id>a&bogus;</id><version>1</version></metadata></package>',
    '<package><metadata><id>a</id></metadata></package>',
    '<package><metadata><id></id><version>1</version></metadata></package>',
    '<package><metadata><id>a</id><version>1</version></metadata></package><package/>',
    '<package><metadata><id>a</id><version>1</version></metadata></package> trailing',
    '<package><metadata><id>a < b</id><version>1</version></metadata></package>',
    '<package><metadata>',
    '<nothing/>',
    // external entities (XXE) and entity expansion ("billion laughs") need a DTD, which is refused
    '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><package><metadata><id>&xxe;</id><version>1</version></metadata></package>',
    `<!DOCTYPE package [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`).join('')}]><package><metadata><id>&bbbbbbbbb;</id><version>1</version></metadata></package>`,
    '<package><metadata><id>a</id><version>1</version><dependencies><dependency id="x&bogus;"/></dependencies></metadata></package>',
    '<package><metadata><id>a</id><version>1</version><releaseNotes>&bogus;</releaseNotes></metadata></package>',
    '<package><metadata><id>a</id><version>1</version><dependencies><dependency id=x/></dependencies></metadata></package>',
    '<package><metadata><id>a</id><version>1</version><dependencies><dependency id="a"id="b"/></dependencies></metadata></package>',
    '<package><metadata><id>a</id><version>1</version><dependencies><dependency id="a" id="b"/></dependencies></metadata></package>',
    '<package><metadata><id>a</id><version>1</version><dependencies><dependency id="a<b"/></dependencies></metadata></package>',
  ];
  for (const xml of cases) assert.throws(() => parseNuspec(xml), rejectsWith('NUSPEC_INVALID'), xml);
});

test('needs exactly one root .nuspec and decodes UTF-16', async (t) => {
  const manifest = '<package><metadata><id>P</id><version>2.0.0</version></metadata></package>';
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(manifest, 'utf16le')]);
  assert.equal((await nuspecOf(t, [{ name: 'P.NUSPEC', data: utf16, method: 8 }])).version, '2.0.0');
  await assert.rejects(nuspecOf(t, [{ name: 'sub/P.nuspec', data: manifest }]), rejectsWith('NUSPEC_MISSING'));
  await assert.rejects(nuspecOf(t, [{ name: 'a.nuspec', data: manifest }, { name: 'b.nuspec', data: manifest }]), rejectsWith('NUSPEC_INVALID'));
  await assert.rejects(nuspecOf(t, [{ name: 'a.nuspec', data: Uint8Array.of(0x3c, 0xc3, 0x28) }]), rejectsWith('NUSPEC_INVALID'));
  await assert.rejects(nuspecOf(t, [{ name: 'a.nuspec', data: `${manifest}<!--${'x'.repeat(1 << 20)}-->`, method: 8 }]), rejectsWith('ARCHIVE_ENTRY_TOO_LARGE'));
});

test('the nuspec and the signature are read once per open archive, and again for a new one', async () => {
  const bytes = buildZip(samplePackageEntries('Once.Only', '1.0.0')).bytes;
  const archive = await PackageArchive.fromBytes(bytes);
  const first = await readNuspec(archive);
  assert.equal(first.id, 'Once.Only');
  assert.equal(await readNuspec(archive), first, 'the same parse, not a second one');
  assert.equal(await readPackageSignature(archive), undefined);
  const reopened = await PackageArchive.fromBytes(bytes);
  const second = await readNuspec(reopened);
  assert.notEqual(second, first, 'another archive is parsed anew');
  assert.deepEqual(second, first);
  const broken = await PackageArchive.fromBytes(buildZip([{ name: 'lib/a.dll', data: new Uint8Array(3) }]).bytes);
  await assert.rejects(readNuspec(broken), (error: unknown) => isReposignError(error, 'NUSPEC_MISSING'));
  await assert.rejects(readNuspec(broken), (error: unknown) => isReposignError(error, 'NUSPEC_MISSING'), 'a failure stays the same failure');
});
