// SPDX-License-Identifier: MIT
// Settles how the real .NET SDK NuGet client treats test PKI: these run the client for real.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import {
  authorSign,
  packTestPackage,
  prepareTrustingSdk,
  requireDotnet,
  restoreProject,
  verifyPackages,
  type DotnetResult,
  type TrustingSdk,
} from '../../helpers/dotnet.js';
import { writeNuGetConfig } from '../../helpers/nuget-config.js';
import { nugetOrgPackages, signatureShape } from '../../helpers/nuget-fixtures.js';
import { createRootCa, exportPfx, issueCertificate, type TestCertificate } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { startTsa, type TestTsa } from '../../helpers/tsa-server.js';

const execFileAsync = promisify(execFile);
const PASSWORD = 'test-password';

interface Fixture {
  readonly dir: string;
  readonly tsa: TestTsa;
  readonly leaf: TestCertificate;
  readonly pfx: string;
  readonly unsigned: string;
  /** Trusts the test code-signing root and the test TSA root. */
  readonly trusting: TrustingSdk;
  /** Trusts only the test TSA root. */
  readonly tsaOnly: TrustingSdk;
  /** Trusts only the test code-signing root. */
  readonly codeOnly: TrustingSdk;
  readonly timings: Record<string, number>;
}

let fixture: Promise<Fixture> | undefined;
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function timed<T>(timings: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  timings[name] = Math.round(performance.now() - started);
  return result;
}

function sharedFixture(): Promise<Fixture> {
  fixture ??= (async () => {
    const timings: Record<string, number> = {};
    const dir = await makeTempDir('dotnet-test');
    cleanups.push(() => removeTempDir(dir));
    const tsa = await timed(timings, 'startTsa', () => startTsa({ dir: join(dir, 'tsa') }));
    cleanups.push(() => tsa.close());
    const ca = await createRootCa(dir, { name: 'Reposign Test Code Signing Root' });
    const leaf = await issueCertificate(ca, { subject: 'Reposign Test Author', eku: 'codeSigning' });
    const pfx = await exportPfx(leaf, { password: PASSWORD, legacy: false, includeChain: [ca] });
    const unsigned = await timed(timings, 'pack', () => packTestPackage(dir, { id: 'Reposign.Test', version: '1.0.0', files: { 'content/hello.txt': 'hello', 'LICENSE': 'MIT' } }));
    const trusting = await timed(timings, 'prepareTrustingSdk', () =>
      prepareTrustingSdk({ codeSigningRoots: [ca.certPem], timestampingRoots: [tsa.rootCertPem] }),
    );
    cleanups.push(() => trusting.dispose());
    const tsaOnly = await prepareTrustingSdk({ codeSigningRoots: [], timestampingRoots: [tsa.rootCertPem] });
    cleanups.push(() => tsaOnly.dispose());
    const codeOnly = await prepareTrustingSdk({ codeSigningRoots: [ca.certPem], timestampingRoots: [] });
    cleanups.push(() => codeOnly.dispose());
    return { dir, tsa, leaf, pfx, unsigned, trusting, tsaOnly, codeOnly, timings };
  })();
  return fixture;
}

async function signedCopy(f: Fixture, name: string, options: { pfx?: string; timestamp?: boolean } = {}): Promise<string> {
  const path = join(f.dir, `${name}.nupkg`);
  await copyFile(f.unsigned, path);
  await authorSign(f.trusting.dotnet, path, {
    pfxPath: options.pfx ?? f.pfx,
    password: PASSWORD,
    timestamperUrl: options.timestamp === false ? undefined : f.tsa.url,
  });
  return path;
}

function codes(result: DotnetResult, level: 'error' | 'warn'): string[] {
  const pattern = new RegExp(`${level}\\s*: (NU\\d{4})`, 'g');
  return [...new Set([...result.output.matchAll(pattern)].map((match) => match[1] ?? ''))].sort();
}

async function setUp(t: TestContext): Promise<Fixture | undefined> {
  if (!(await requireDotnet(t))) return undefined;
  return sharedFixture();
}

test('packTestPackage makes a real unsigned package, padded to a requested size', async (t) => {
  const f = await setUp(t);
  if (f === undefined) return;
  const { stdout } = await execFileAsync('unzip', ['-Z1', f.unsigned]);
  const entries = stdout.split('\n');
  assert.ok(entries.includes('Reposign.Test.nuspec'));
  assert.ok(entries.includes('lib/net10.0/TestPackage.dll'));
  assert.ok(entries.includes('content/hello.txt'));
  assert.ok(entries.includes('LICENSE'));
  assert.equal(await signatureShape(f.unsigned), 'unsigned');

  const big = await packTestPackage(f.dir, { id: 'Reposign.Big', version: '2.0.0-beta.1', sizeBytes: 1_000_000 });
  const size = (await stat(big)).size;
  assert.ok(Math.abs(size - 1_000_000) < 50_000, `size ${size}`);
  t.diagnostic(`startTsa ${f.timings.startTsa} ms, pack ${f.timings.pack} ms`);
});

test('an author signature from a test CA and the test TSA verifies with the trusting SDK copy, not with the stock SDK', async (t) => {
  const f = await setUp(t);
  if (f === undefined) return;
  const signed = await signedCopy(f, 'author-timestamped');
  assert.equal(await signatureShape(signed), 'author');
  assert.ok(f.tsa.requests >= 1, 'dotnet nuget sign called the test TSA');

  const started = performance.now();
  const trusted = await verifyPackages(f.trusting.dotnet, [signed]);
  const verifyMs = Math.round(performance.now() - started);
  assert.equal(trusted.code, 0, trusted.output);
  assert.deepEqual(codes(trusted, 'error'), []);
  assert.match(trusted.output, /Successfully verified package/);

  const stock = await verifyPackages('dotnet', [signed]);
  assert.notEqual(stock.code, 0);
  assert.deepEqual(codes(stock, 'error'), ['NU3018', 'NU3028']);
  assert.deepEqual(codes(stock, 'warn'), ['NU3042']);
  assert.match(stock.output, /signing certificate is not trusted/);
  assert.match(stock.output, /timestamping certificate is not trusted/);
  t.diagnostic(`prepareTrustingSdk ${f.timings.prepareTrustingSdk} ms, one verify ${verifyMs} ms`);
});

test('allowUntrustedRoot excuses the untrusted code-signing root (NU3018) but never the TSA root (NU3028)', async (t) => {
  const f = await setUp(t);
  if (f === undefined) return;
  const signed = await signedCopy(f, 'author-allow-untrusted');
  const configFile = join(f.dir, 'allow-untrusted.config');
  await writeNuGetConfig(configFile, {
    sources: [],
    trustedSigners: [{ kind: 'author', name: 'test author', fingerprints: [f.leaf.fingerprintSha256], allowUntrustedRoot: true }],
  });

  const codeRootMissing = await verifyPackages(f.tsaOnly.dotnet, [signed]);
  assert.deepEqual(codes(codeRootMissing, 'error'), ['NU3018']);
  const excused = await verifyPackages(f.tsaOnly.dotnet, [signed], { configFile });
  assert.equal(excused.code, 0, excused.output);

  const tsaRootMissing = await verifyPackages(f.codeOnly.dotnet, [signed], { configFile });
  assert.notEqual(tsaRootMissing.code, 0);
  assert.deepEqual(codes(tsaRootMissing, 'error'), ['NU3028']);

  const stock = await verifyPackages('dotnet', [signed], { configFile });
  assert.deepEqual(codes(stock, 'error'), ['NU3028']);
});

test('without a timestamp only the code-signing root matters, and NU3027 is a warning', async (t) => {
  const f = await setUp(t);
  if (f === undefined) return;
  const signed = await signedCopy(f, 'author-untimestamped', { timestamp: false });
  const result = await verifyPackages(f.codeOnly.dotnet, [signed]);
  assert.equal(result.code, 0, result.output);
  assert.deepEqual(codes(result, 'warn'), ['NU3027']);
  const pinned = await verifyPackages(f.codeOnly.dotnet, [signed], { fingerprints: [f.leaf.fingerprintSha256] });
  assert.equal(pinned.code, 0, pinned.output);
  const wrongPin = await verifyPackages(f.codeOnly.dotnet, [signed], { fingerprints: ['00'.repeat(32)] });
  assert.deepEqual(codes(wrongPin, 'error'), ['NU3034']);
});

test('dotnet nuget sign needs the signing root trusted, and accepts legacy (RC2-40 and 3DES) PFX files', async (t) => {
  const f = await setUp(t);
  if (f === undefined) return;
  const path = join(f.dir, 'stock-sign.nupkg');
  await copyFile(f.unsigned, path);
  await assert.rejects(authorSign('dotnet', path, { pfxPath: f.pfx, password: PASSWORD }), /NU3018: PartialChain/);

  for (const legacyCertBags of ['rc2-40', '3des'] as const) {
    const pfx = await exportPfx(f.leaf, { password: PASSWORD, legacy: true, legacyCertBags, fileName: `legacy-${legacyCertBags}.pfx` });
    const signed = await signedCopy(f, `legacy-${legacyCertBags}`, { pfx });
    const result = await verifyPackages(f.trusting.dotnet, [signed]);
    assert.equal(result.code, 0, result.output);
  }
});

test('restore in require mode extracts a trusted signed package and rejects it with the stock SDK', async (t) => {
  const f = await setUp(t);
  if (f === undefined) return;
  const feed = join(f.dir, 'local-feed');
  await mkdir(feed, { recursive: true });
  const signed = await signedCopy(f, 'restore-source');
  await copyFile(signed, join(feed, 'Reposign.Test.1.0.0.nupkg'));
  const configFile = join(f.dir, 'restore.config');
  await writeNuGetConfig(configFile, {
    sources: [{ name: 'local', url: feed }],
    signatureValidationMode: 'require',
    trustedSigners: [{ kind: 'author', name: 'test author', fingerprints: [f.leaf.fingerprintSha256] }],
  });
  const packageRef = { id: 'Reposign.Test', version: '1.0.0' };

  const ok = await restoreProject(f.trusting.dotnet, { dir: f.dir, configFile, packageRef });
  assert.equal(ok.code, 0, ok.output);
  assert.deepEqual(await readdir(join(ok.packagesFolder, 'reposign.test')), ['1.0.0']);

  const stock = await restoreProject('dotnet', { dir: f.dir, configFile, packageRef });
  assert.notEqual(stock.code, 0);
  assert.deepEqual(restoreCodes(stock, 'error'), ['NU3018', 'NU3028']);

  // Unlike verify, restore ignores an untrusted timestamp (allowIgnoreTimestamp), so allowUntrustedRoot
  // on the signer lets the stock SDK restore the package, with NU3042 warnings only.
  const lenientConfig = join(f.dir, 'restore-lenient.config');
  await writeNuGetConfig(lenientConfig, {
    sources: [{ name: 'local', url: feed }],
    signatureValidationMode: 'require',
    trustedSigners: [{ kind: 'author', name: 'test author', fingerprints: [f.leaf.fingerprintSha256], allowUntrustedRoot: true }],
  });
  const lenient = await restoreProject('dotnet', { dir: f.dir, configFile: lenientConfig, packageRef });
  assert.equal(lenient.code, 0, lenient.output);
  assert.deepEqual(restoreCodes(lenient, 'error'), []);
  assert.deepEqual(restoreCodes(lenient, 'warning'), ['NU3042']);
});

function restoreCodes(result: DotnetResult, level: 'error' | 'warning'): string[] {
  return [...new Set([...result.output.matchAll(new RegExp(`${level} (NU\\d{4})`, 'g'))].map((match) => match[1] ?? ''))].sort();
}

test('the real nuget.org packages verify with the stock SDK (public roots, offline revocation)', async (t) => {
  if (!(await requireDotnet(t))) return;
  const packages = await nugetOrgPackages();
  if (packages.length === 0 && process.env.CI !== 'true') {
    t.skip('/opt/nuget/packages is absent');
    return;
  }
  const result = await verifyPackages('dotnet', packages.map((pkg) => pkg.path));
  assert.equal(result.code, 0, result.output);
  assert.equal(result.output.match(/Successfully verified package/g)?.length, packages.length);
  assert.equal(result.output.match(/Signature type: Repository/g)?.length, packages.length);
});
