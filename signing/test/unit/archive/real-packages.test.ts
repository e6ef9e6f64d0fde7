// SPDX-License-Identifier: MIT
// The archive layer against real nuget.org packages (all signed). Independent oracle: the package hash
// that nuget.org or the author put in each signature's content (spec §4) must equal ours.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HashAlgorithmName } from '../../../src/hash-algorithm.js';
import { hashAlgorithmByOid } from '../../../src/hash-algorithm.js';
import { PackageArchive, computePackageHash, readNuspec, writeSignedPackage, writeUnsignedPackage } from '../../../src/archive/index.js';
import { nugetOrgPackages } from '../../helpers/nuget-fixtures.js';
import { tempDirFor } from '../../helpers/temp-dir.js';
import { verifierPackageHash } from '../../helpers/zip-builder.js';

/** The `<oid>-Hash:<base64>` line of the §4 content, read straight out of the DER (it is embedded ASCII). */
function signedContentHash(p7s: Uint8Array): { hash: HashAlgorithmName; value: string } {
  const match = /Version:1\n\n([0-9.]+)-Hash:([A-Za-z0-9+/=]+)\n\n/.exec(Buffer.from(p7s).toString('latin1'));
  const info = hashAlgorithmByOid(match?.[1] ?? '');
  assert.ok(match?.[2] !== undefined && info !== undefined, 'signature content not found');
  return { hash: info.name, value: match[2] };
}

/** The signature's DOS time/date fields as a local Date, so re-signing can write the same bytes. */
function dosTimestamp(bytes: Uint8Array, localHeaderOffset: number): Date {
  const data = new DataView(bytes.buffer, bytes.byteOffset + localHeaderOffset + 10, 4);
  const time = data.getUint16(0, true);
  const date = data.getUint16(2, true);
  return new Date(1980 + (date >> 9), ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2);
}

test('nuget.org packages: package hash, nuspec, and byte-identical strip and re-append', async (t) => {
  const packages = await nugetOrgPackages();
  assert.ok(packages.length > 0, 'no packages in /opt/nuget/packages');
  const dir = await tempDirFor(t, 'real');
  for (const pkg of packages) {
    await t.test(`${pkg.id} ${pkg.version}`, async () => {
      const bytes = new Uint8Array(await readFile(pkg.path));
      const archive = await PackageArchive.open(pkg.path);
      try {
        const p7s = await archive.readSignatureFile();
        const signature = archive.signatureEntry;
        assert.ok(p7s !== undefined && signature !== undefined);
        const content = signedContentHash(p7s);
        const ours = await computePackageHash(archive, content.hash);
        assert.equal(Buffer.from(ours).toString('base64'), content.value);
        const sha512 = await computePackageHash(archive, 'SHA512');
        assert.deepEqual(sha512, verifierPackageHash(bytes, 'SHA512'));

        // nuget.org's layout is NuGet's append layout: the signature is the last local entry and CD record
        assert.equal(signature.localHeaderOffset + signature.span, archive.centralDirectoryOffset);
        assert.equal(archive.entries[archive.entries.length - 1], signature);

        const manifest = await readNuspec(archive);
        assert.equal(manifest.id.toLowerCase(), pkg.id);
        assert.equal(manifest.version.toLowerCase(), pkg.version);

        const unsigned = join(dir, `${pkg.id}.unsigned.nupkg`);
        await writeUnsignedPackage(archive, unsigned);
        const stripped = await PackageArchive.open(unsigned);
        try {
          assert.equal(stripped.signatureEntry, undefined);
          assert.equal(stripped.size, archive.size - signature.span - signature.centralDirectoryRecordSize);
          const resigned = join(dir, `${pkg.id}.resigned.nupkg`);
          await writeSignedPackage(stripped, resigned, content.hash, async (packageHash) => {
            assert.deepEqual(packageHash, ours);
            return p7s;
          }, { lastModified: dosTimestamp(bytes, signature.localHeaderOffset) });
          assert.ok(Buffer.from(await readFile(resigned)).equals(bytes), 're-appending did not reproduce the file');
        } finally {
          await stripped.close();
        }
      } finally {
        await archive.close();
      }
    });
  }
});
