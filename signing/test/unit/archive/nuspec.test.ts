// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isReposignError, type ErrorCode } from '../../../src/errors.js';
import { PackageArchive, readNuspec } from '../../../src/archive/index.js';
import { parseNuspec } from '../../../src/archive/nuspec.js';
import { tempDirFor } from '../../helpers/temp-dir.js';
import { buildZip, type ZipBuilderEntry } from '../../helpers/zip-builder.js';

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
  assert.deepEqual(parseNuspec(xml), { id: 'My.Pkg', version: '1.0.0-beta+b', authors: 'A & B', xml });
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
