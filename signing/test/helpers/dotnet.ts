// SPDX-License-Identifier: MIT
// Harness around the real .NET SDK NuGet client: an isolated environment, a private SDK copy that
// trusts test roots, and pack / sign / verify / restore of test packages, all offline.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { writeNuGetConfig } from './nuget-config.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

const execFileAsync = promisify(execFile);

/** What a `dotnet` run printed and how it ended. `output` is stdout followed by stderr. */
export interface DotnetResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
}

/** Options of {@link runDotnet}. Values in `env` override the isolated defaults. */
export interface DotnetRunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** A hard-linked copy of the SDK whose trust bundles also hold test roots. */
export interface TrustingSdk {
  /** Path of the copy's `dotnet` executable. */
  readonly dotnet: string;
  /** The copy's dotnet root directory. */
  readonly root: string;
  readonly sdkVersion: string;
  dispose(): Promise<void>;
}

/** Options of {@link prepareTrustingSdk}: PEM certificates (self-signed roots) to add to each bundle. */
export interface TrustOptions {
  readonly codeSigningRoots: readonly string[];
  readonly timestampingRoots: readonly string[];
}

/** Options of {@link packTestPackage}. */
export interface PackOptions {
  readonly id: string;
  readonly version: string;
  /** Extra files, keyed by their path inside the package. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Pads the package with an incompressible content file so the .nupkg is about this many bytes. */
  readonly sizeBytes?: number;
  readonly authors?: string;
  /** The `dotnet` to pack with; the one on PATH by default. */
  readonly dotnet?: string;
}

/** Options of {@link authorSign}. */
export interface AuthorSignOptions {
  readonly pfxPath: string;
  readonly password: string;
  readonly timestamperUrl?: string;
}

/** Options of {@link verifyPackages}. */
export interface VerifyOptions {
  readonly configFile?: string;
  /** SHA-256 fingerprints for `--certificate-fingerprint` (primary signature allow-list). */
  readonly fingerprints?: readonly string[];
}

/** Options of {@link restoreProject}. */
export interface RestoreOptions {
  /** A scratch directory for the consumer project and its fresh global packages folder. */
  readonly dir: string;
  readonly configFile: string;
  readonly packageRef: { readonly id: string; readonly version: string };
  readonly targetFramework?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** The outcome of {@link restoreProject}; `packagesFolder` is the global packages folder it extracted into. */
export interface RestoreResult extends DotnetResult {
  readonly packagesFolder: string;
}

// netstandard2.0 needs the NETStandard.Library package, which is not on this offline machine;
// net10.0 only needs the targeting pack that ships inside the SDK.
const DEFAULT_TFM = 'net10.0';

let available: Promise<boolean> | undefined;

/** True when a working `dotnet` is on PATH (checked once per process). */
export function dotnetAvailable(): Promise<boolean> {
  available ??= execFileAsync('dotnet', ['--version'], { env: isolatedEnv('/nonexistent') }).then(
    () => true,
    () => false,
  );
  return available;
}

/**
 * Gates a test on the NuGet client: without `dotnet` the test is skipped and `false` returned,
 * except under `CI=true`, where a missing client is an error (CI must never skip these tests).
 */
export async function requireDotnet(t: TestContext): Promise<boolean> {
  if (await dotnetAvailable()) return true;
  if (process.env.CI === 'true') throw new Error('dotnet is required when CI=true but is not on PATH');
  t.skip('dotnet is not on PATH');
  return false;
}

/**
 * Runs `dotnet` with an environment made from scratch: a temporary HOME/DOTNET_CLI_HOME and
 * NUGET_PACKAGES (removed afterwards) so no user NuGet.Config or package cache is used, offline
 * revocation, restore-time signature verification on, and telemetry, first-run and build servers off.
 */
export async function runDotnet(dotnetPath: string, args: readonly string[], options: DotnetRunOptions = {}): Promise<DotnetResult> {
  const home = await makeTempDir('dotnet-home');
  try {
    // dotnet leaves two empty folders in its temporary directory per run (600 in a CI run when it
    // was the machine's /tmp): give it one inside the home that is removed below.
    const temporary = join(home, 'tmp');
    await mkdir(temporary);
    return await spawnCollect(dotnetPath, args, {
      cwd: options.cwd ?? home,
      env: { ...isolatedEnv(home), TMPDIR: temporary, ...options.env },
      timeoutMs: options.timeoutMs ?? 300_000,
    });
  } finally {
    await removeTempDir(home);
  }
}

/**
 * Makes a private copy of the active SDK's dotnet root with `cp -al` (hard links: no disk, well under
 * a second) and replaces, in every `sdk/<version>/trustedroots/`, `codesignctl.pem` and
 * `timestampctl.pem` with new files holding the original bundle plus the given roots. The machine's SDK
 * is never modified. Run the returned `dotnet` to get a client that trusts the test roots.
 */
export async function prepareTrustingSdk(trust: TrustOptions): Promise<TrustingSdk> {
  const { root: sourceRoot, sdkVersion } = await locateSdk();
  const dir = await makeTempDir('sdk');
  const root = join(dir, 'dotnet');
  try {
    await execFileAsync('cp', ['-al', sourceRoot, root]);
    for (const version of await readdir(join(root, 'sdk'))) {
      const trustedRoots = join(root, 'sdk', version, 'trustedroots');
      await appendToBundle(join(trustedRoots, 'codesignctl.pem'), trust.codeSigningRoots);
      await appendToBundle(join(trustedRoots, 'timestampctl.pem'), trust.timestampingRoots);
    }
  } catch (error) {
    await removeTempDir(dir);
    throw error;
  }
  return { dotnet: join(root, 'dotnet'), root, sdkVersion, dispose: () => removeTempDir(dir) };
}

/**
 * Packs a real, unsigned package with `dotnet pack` of a tiny net10.0 class library (offline: the
 * project's NuGet.Config clears every source) and returns the .nupkg path. `files` become content at
 * the given package paths; `sizeBytes` adds random bytes so the package reaches about that size.
 */
export async function packTestPackage(dir: string, options: PackOptions): Promise<string> {
  const projectDir = join(dir, `pack-${options.id}-${options.version}-${randomBytes(3).toString('hex')}`);
  const outDir = join(projectDir, 'out');
  await mkdir(join(projectDir, 'content'), { recursive: true });
  const items: string[] = [];
  let index = 0;
  for (const [packagePath, content] of Object.entries(options.files ?? {})) {
    // The local file keeps the package file's name: MSBuild treats a PackagePath as a file path only
    // when it ends with the source file's extension, and as a folder otherwise.
    const local = `content/${index++}/${basename(packagePath)}`;
    await mkdir(join(projectDir, dirname(local)), { recursive: true });
    await writeFile(join(projectDir, local), content);
    items.push(itemXml(local, extname(packagePath) === '' ? dirname(packagePath).replace(/^\.$/, '') : packagePath));
  }
  if (options.sizeBytes !== undefined && options.sizeBytes > 8192) {
    await writeFile(join(projectDir, 'content/padding.bin'), randomBytes(options.sizeBytes - 8192));
    items.push(itemXml('content/padding.bin', 'content/padding.bin'));
  }
  await writeFile(
    join(projectDir, 'TestPackage.csproj'),
    [
      '<Project Sdk="Microsoft.NET.Sdk">',
      '  <PropertyGroup>',
      `    <TargetFramework>${DEFAULT_TFM}</TargetFramework>`,
      `    <PackageId>${xml(options.id)}</PackageId>`,
      `    <Version>${xml(options.version)}</Version>`,
      `    <Authors>${xml(options.authors ?? 'reposign tests')}</Authors>`,
      '    <Description>A package made by the reposign test suite.</Description>',
      '    <NoWarn>$(NoWarn);NU5100;NU5110;NU5111;NU5128</NoWarn>',
      '    <GenerateDocumentationFile>false</GenerateDocumentationFile>',
      '  </PropertyGroup>',
      '  <ItemGroup>',
      ...items.map((item) => `    ${item}`),
      '  </ItemGroup>',
      '</Project>',
      '',
    ].join('\n'),
  );
  await writeFile(join(projectDir, 'Library.cs'), 'namespace ReposignTest;\npublic static class Marker { public static int Value => 1; }\n');
  const configFile = join(projectDir, 'nuget.config');
  await writeNuGetConfig(configFile, { sources: [], clear: true });
  const result = await runDotnet(
    options.dotnet ?? 'dotnet',
    ['pack', 'TestPackage.csproj', '-c', 'Release', '-o', outDir, '--configfile', configFile, '--disable-build-servers', '-p:NuGetAudit=false'],
    { cwd: projectDir },
  );
  if (result.code !== 0) throw new Error(`dotnet pack failed (${result.code}):\n${result.output}`);
  return join(outDir, `${options.id}.${options.version}.nupkg`);
}

/** Author-signs `nupkg` in place with `dotnet nuget sign --overwrite`; throws with the client's output on failure. */
export async function authorSign(dotnetPath: string, nupkg: string, options: AuthorSignOptions): Promise<void> {
  const args = ['nuget', 'sign', nupkg, '--certificate-path', options.pfxPath, '--certificate-password', options.password, '--overwrite'];
  if (options.timestamperUrl !== undefined) args.push('--timestamper', options.timestamperUrl);
  const result = await runDotnet(dotnetPath, args);
  if (result.code !== 0) throw new Error(`dotnet nuget sign failed (${result.code}):\n${result.output}`);
}

/** Runs `dotnet nuget verify --all` (detailed verbosity) on `nupkgs`; a non-zero code means an Error-level issue. */
export async function verifyPackages(dotnetPath: string, nupkgs: readonly string[], options: VerifyOptions = {}): Promise<DotnetResult> {
  const args = ['nuget', 'verify', '--all', ...nupkgs, '-v', 'detailed'];
  if (options.configFile !== undefined) args.push('--configfile', options.configFile);
  for (const fingerprint of options.fingerprints ?? []) args.push('--certificate-fingerprint', fingerprint);
  return runDotnet(dotnetPath, args);
}

/**
 * Creates a consumer project in `dir` that references `packageRef` and restores it with
 * `--configfile`, into a new global packages folder, so the package is extracted (and its signature
 * verified) for the first time.
 */
export async function restoreProject(dotnetPath: string, options: RestoreOptions): Promise<RestoreResult> {
  const projectDir = join(options.dir, `consumer-${randomBytes(3).toString('hex')}`);
  const packagesFolder = join(projectDir, 'packages');
  await mkdir(projectDir, { recursive: true });
  await writeFile(
    join(projectDir, 'Consumer.csproj'),
    [
      '<Project Sdk="Microsoft.NET.Sdk">',
      '  <PropertyGroup>',
      `    <TargetFramework>${options.targetFramework ?? DEFAULT_TFM}</TargetFramework>`,
      '    <NuGetAudit>false</NuGetAudit>',
      '  </PropertyGroup>',
      '  <ItemGroup>',
      `    <PackageReference Include="${xml(options.packageRef.id)}" Version="[${xml(options.packageRef.version)}]" />`,
      '  </ItemGroup>',
      '</Project>',
      '',
    ].join('\n'),
  );
  const result = await runDotnet(
    dotnetPath,
    ['restore', 'Consumer.csproj', '--configfile', options.configFile, '--disable-build-servers', '-v', 'normal'],
    { cwd: projectDir, env: { NUGET_PACKAGES: packagesFolder, ...options.env } },
  );
  return { ...result, packagesFolder };
}

function isolatedEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    DOTNET_CLI_HOME: home,
    NUGET_PACKAGES: join(home, 'packages'),
    NUGET_HTTP_CACHE_PATH: join(home, 'http-cache'),
    NUGET_PLUGINS_CACHE_PATH: join(home, 'plugins-cache'),
    NUGET_CERT_REVOCATION_MODE: 'offline',
    DOTNET_NUGET_SIGNATURE_VERIFICATION: 'true',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
    DOTNET_NOLOGO: '1',
    DOTNET_CLI_UI_LANGUAGE: 'en',
    DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE: 'true',
    DOTNET_GENERATE_ASPNET_CERTIFICATE: 'false',
    DOTNET_ADD_GLOBAL_TOOLS_TO_PATH: 'false',
    DOTNET_CLI_USE_MSBUILD_SERVER: '0',
    MSBUILDDISABLENODEREUSE: '1',
    NUGET_XMLDOC_MODE: 'skip',
  };
  if (process.env.TMPDIR !== undefined) env.TMPDIR = process.env.TMPDIR;
  return env;
}

async function locateSdk(): Promise<{ root: string; sdkVersion: string }> {
  const env = isolatedEnv('/nonexistent');
  const sdkVersion = (await execFileAsync('dotnet', ['--version'], { env })).stdout.trim();
  const { stdout: sdks } = await execFileAsync('dotnet', ['--list-sdks'], { env });
  // Lines read `10.0.401 [/usr/share/dotnet/sdk]`; the dotnet root is the parent of that folder.
  const line = sdks.split('\n').find((entry) => entry.startsWith(`${sdkVersion} [`));
  if (line === undefined) throw new Error(`dotnet --list-sdks does not list the active SDK ${sdkVersion}`);
  return { root: dirname(line.slice(line.indexOf('[') + 1, line.lastIndexOf(']'))), sdkVersion };
}

// The copy's files are hard links to the machine's SDK: writing through them would change the
// machine's bundle, so the old file is removed first and a new one written.
async function appendToBundle(path: string, pems: readonly string[]): Promise<void> {
  if (pems.length === 0) return;
  const original = await readFile(path, 'utf8');
  await rm(path);
  await writeFile(path, `${original.trimEnd()}\n${pems.map((pem) => `${pem.trim()}\n`).join('')}`);
}

function itemXml(local: string, packagePath: string): string {
  return `<None Include="${xml(local)}" Pack="true" PackagePath="${xml(packagePath)}" />`;
}

function xml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function spawnCollect(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<DotnetResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      resolve({ code: code ?? (signal === null ? 1 : 128), stdout: out, stderr: err, output: `${out}${err}` });
    });
  });
}
