// SPDX-License-Identifier: MIT
// Repository countersignatures judged by the real NuGet client: on packages author-signed by
// `dotnet nuget sign` with a test CA and a test TSA, and on real nuget.org packages whose NuGet.org
// countersignature we replace.

import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { main } from '../../src/cli/main.js';
import { parseSignature } from '../../src/cms/signature-reader.js';
import { inspectPackage, PackageArchive, verifyPackage } from '../../src/index.js';
import {
  authorSign,
  dotnetAvailable,
  packTestPackage,
  prepareTrustingSdk,
  requireDotnet,
  restoreProject,
  verifyPackages,
  type TrustingSdk,
} from '../helpers/dotnet.js';
import { writeNuGetConfig, type RepositoryTrustedSigner } from '../helpers/nuget-config.js';
import { nugetOrgPackages } from '../helpers/nuget-fixtures.js';
import { createRootCa, createSelfSigned, exportPfx, issueCertificate, type TestCertificate } from '../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { startTsa, type TestTsa } from '../helpers/tsa-server.js';

const SERVICE_INDEX = 'https://feed.reposign.test/v3/index.json';

async function readSignatureFile(path: string): Promise<Uint8Array> {
  const archive = await PackageArchive.open(path);
  try {
    const bytes = await archive.readSignatureFile();
    assert.ok(bytes, `${path} has no signature`);
    return bytes;
  } finally {
    await archive.close();
  }
}

/** The author SignerInfo's bytes from its version through its signature value: what the author signed and produced. */
async function authorSignedPart(path: string): Promise<Buffer> {
  const primary = parseSignature(await readSignatureFile(path)).primary;
  return Buffer.from(primary.tlv.source.subarray(primary.tlv.contentStart, primary.signatureTlv.end));
}

async function countersign(input: string, output: string, key: TestCertificate, ...extra: string[]): Promise<void> {
  const err: string[] = [];
  const code = await main(
    [
      'sign', input, '--certificate-path', key.certPath, '--private-key-path', key.keyPath,
      '--v3-service-index-url', SERVICE_INDEX, '--output', output, ...extra,
    ],
    { out: () => undefined, err: (line) => err.push(line) },
  );
  assert.equal(code, 0, err.join('\n'));
}

function repositoryTrust(key: TestCertificate): RepositoryTrustedSigner {
  return { kind: 'repository', name: 'reposign', serviceIndex: SERVICE_INDEX, fingerprints: [key.fingerprintSha256], allowUntrustedRoot: true };
}

describe('repository countersignatures and the NuGet client', () => {
  let dir: string;
  let tsa: TestTsa;
  let sdk: TrustingSdk;
  let repositoryKey: TestCertificate;
  let ready = false;

  before(async () => {
    dir = await makeTempDir('e2e-countersign');
    ready = await dotnetAvailable();
    if (!ready) return;
    tsa = await startTsa();
    const authorRoot = await createRootCa(dir, { name: 'Reposign E2E Author Root' });
    repositoryKey = await createSelfSigned(dir, { subject: 'Reposign E2E Repository', keyBits: 3072 });
    // The author chain and the TSA are trusted through a private SDK copy; the repository key is
    // self-signed and trusted through trustedSigners allowUntrustedRoot, as a private feed would be.
    sdk = await prepareTrustingSdk({ codeSigningRoots: [authorRoot.certPem], timestampingRoots: [tsa.rootCertPem] });
    const author = await issueCertificate(authorRoot, { subject: 'Reposign E2E Author', keyBits: 2048 });
    const authorPfx = await exportPfx(author, { password: 'author', legacy: false, includeChain: [authorRoot] });
    for (const name of ['Reposign.E2E.Authored']) {
      const unsigned = await packTestPackage(dir, { id: name, version: '2.0.0' });
      await authorSign(sdk.dotnet, unsigned, { pfxPath: authorPfx, password: 'author', timestamperUrl: tsa.url });
      await copyFile(unsigned, join(dir, 'author-signed.nupkg'));
    }
  });

  after(async () => {
    await tsa?.close();
    await sdk?.dispose();
    await removeTempDir(dir);
  });

  test('a timestamped countersignature on a dotnet-nuget-sign author signature passes verify; the author bytes are unchanged', async (t) => {
    if (!(await requireDotnet(t))) return;
    const authored = join(dir, 'author-signed.nupkg');
    assert.equal((await inspectPackage(authored)).kind, 'author');
    const out = join(dir, 'countersigned');
    await countersign(authored, out, repositoryKey, '--timestamper', tsa.url);
    const countersigned = join(out, 'author-signed.nupkg');

    assert.deepEqual(await authorSignedPart(countersigned), await authorSignedPart(authored));
    const inspection = await inspectPackage(countersigned);
    assert.equal(inspection.kind, 'author+repository');
    const ours = inspection.signatures.find((signature) => signature.placement === 'countersignature');
    assert.equal(ours?.type, 'repository');
    assert.equal(ours?.timestamps.length, 1);
    const author = inspection.signatures.find((signature) => signature.placement === 'primary');
    assert.equal(author?.timestamps.length, 1, 'the author timestamp is kept');
    assert.equal((await verifyPackage(countersigned, { certificateFingerprints: [repositoryKey.fingerprintSha256] })).valid, true);

    const config = join(dir, 'countersigned.config');
    await writeNuGetConfig(config, { sources: [], trustedSigners: [repositoryTrust(repositoryKey)] });
    const result = await verifyPackages(sdk.dotnet, [countersigned], { configFile: config });
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Signature type: Author/);
    assert.match(result.output, /repository countersignature/i);
    assert.doesNotMatch(result.output, /NU3027/, 'both signatures carry a timestamp');

    // Countersigning again replaces ours: still exactly one repository countersignature.
    const again = join(dir, 'countersigned-again');
    await countersign(countersigned, again, repositoryKey);
    const twice = await inspectPackage(join(again, 'author-signed.nupkg'));
    assert.equal(twice.signatures.filter((signature) => signature.type === 'repository').length, 1);
    assert.equal((await verifyPackages(sdk.dotnet, [join(again, 'author-signed.nupkg')], { configFile: config })).code, 0);
  });

  test('real nuget.org packages: NuGet.org countersignature replaced by ours, verify passes, content hash kept', async (t) => {
    if (!(await requireDotnet(t))) return;
    const packages = await nugetOrgPackages();
    if (process.env.CI === 'true') assert.ok(packages.length > 0, 'CI machines have nuget.org packages in /opt/nuget/packages');
    if (packages.length === 0) return t.skip('no nuget.org packages on this machine');
    const out = join(dir, 'nuget-org');
    const signed: string[] = [];
    for (const pkg of packages) {
      const before = await inspectPackage(pkg.path);
      assert.ok(before.kind === 'author+repository' || before.kind === 'repository', `${pkg.id} ${before.kind}`);
      const nugetOrg = before.signatures.find((signature) => signature.type === 'repository');
      await countersign(pkg.path, out, repositoryKey);
      const output = join(out, basename(pkg.path));
      const after = await inspectPackage(output);
      const repositorySignatures = after.signatures.filter((signature) => signature.type === 'repository');
      assert.equal(repositorySignatures.length, 1, pkg.id);
      assert.equal(repositorySignatures[0]?.certificate?.fingerprintSha256.toUpperCase(), repositoryKey.fingerprintSha256);
      assert.notEqual(repositorySignatures[0]?.certificate?.fingerprintSha256, nugetOrg?.certificate?.fingerprintSha256);
      if (before.kind === 'author+repository') assert.deepEqual(await authorSignedPart(output), await authorSignedPart(pkg.path));
      signed.push(output);
    }
    const config = join(dir, 'nuget-org.config');
    await writeNuGetConfig(config, { sources: [], trustedSigners: [repositoryTrust(repositoryKey)] });
    const result = await verifyPackages('dotnet', signed, { configFile: config });
    assert.equal(result.code, 0, result.output);
    assert.equal(result.output.match(/Finished with 0 errors/g)?.length, signed.length);

    // A require-mode restore of one of them from a local feed, trusting only our repository certificate.
    const small = packages.filter((pkg) => pkg.id === 'newtonsoft.json')[0] ?? packages[0];
    const feed = join(dir, 'nuget-org-feed');
    await mkdir(feed);
    await copyFile(join(out, basename(small.path)), join(feed, basename(small.path)));
    const restoreConfig = join(dir, 'nuget-org-restore.config');
    await writeNuGetConfig(restoreConfig, {
      sources: [{ name: 'local', url: feed }],
      signatureValidationMode: 'require',
      trustedSigners: [repositoryTrust(repositoryKey)],
    });
    const restored = await restoreProject('dotnet', { dir: join(dir, 'restore'), configFile: restoreConfig, packageRef: { id: small.id, version: small.version } });
    assert.equal(restored.code, 0, restored.output);
    // The client's own content hash of the original package, from a plain restore of it.
    const originalFeed = join(dir, 'nuget-org-original');
    await mkdir(originalFeed);
    await copyFile(small.path, join(originalFeed, basename(small.path)));
    const originalConfig = join(dir, 'nuget-org-original.config');
    await writeNuGetConfig(originalConfig, { sources: [{ name: 'original', url: originalFeed }] });
    const original = await restoreProject('dotnet', { dir: join(dir, 'restore-original'), configFile: originalConfig, packageRef: { id: small.id, version: small.version } });
    assert.equal(original.code, 0, original.output);
    const contentHash = async (folder: string): Promise<string> =>
      (JSON.parse(await readFile(join(folder, small.id, small.version, '.nupkg.metadata'), 'utf8')) as { contentHash: string }).contentHash;
    assert.equal(await contentHash(restored.packagesFolder), await contentHash(original.packagesFolder), 'replacing the countersignature keeps the content hash');
  });
});
