// SPDX-License-Identifier: MIT
// What the cloud-key tests share: `reposign sign` in its own process (the test CA of a loopback
// KMS is trusted only through NODE_EXTRA_CA_CERTS, read at process start), the packages they sign,
// a feed over https that signs through the KMS, and raw pushes that show the feed's status.

import { execFile } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { pushBody, writeTestPackage } from '../../signer-service/test/integration/feed/feed-fixture.js';
import { NUGET_ORG_PACKAGES_DIR } from '../../signing/test/helpers/nuget-fixtures.js';
import { freePort, startSeededFeedProcess, type FeedProcess, type TlsMaterial } from './feed-process.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const execFileAsync = promisify(execFile);

/** The API key of {@link startKeyFeed}'s feeds. */
export const FEED_API_KEY = 'cloud-key-api-key';

/** A real nuget.org package, author-signed and repository-countersigned, with no dependencies. */
export const NUGET_ORG_PACKAGE = { id: 'Newtonsoft.Json', version: '13.0.3' } as const;

/** How a process ended. */
export interface ProcessResult {
  readonly code: number;
  readonly output: string;
}

/**
 * Runs `reposign <args>` through the package's bin (the build, which scripts/run-tests.mjs brings up
 * to date) in a new process whose environment is `env` and PATH only: no AZURE_*, AWS_* or GOOGLE_*
 * variable of the test's own environment leaks in.
 */
export async function runReposign(args: readonly string[], env: Readonly<Record<string, string>>): Promise<ProcessResult> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [join(REPO_ROOT, 'signing/bin/reposign.js'), ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, timeout: 120_000 },
    );
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** An unsigned test package and a copy of {@link NUGET_ORG_PACKAGE}, in `dir`. */
export async function packagesToSign(dir: string, id: string): Promise<{ readonly unsigned: string; readonly nugetOrg: string }> {
  const unsigned = await writeTestPackage(dir, { id, version: '1.0.0' });
  const name = `${NUGET_ORG_PACKAGE.id.toLowerCase()}.${NUGET_ORG_PACKAGE.version}.nupkg`;
  const nugetOrg = join(dir, name);
  await copyFile(join(NUGET_ORG_PACKAGES_DIR, NUGET_ORG_PACKAGE.id.toLowerCase(), NUGET_ORG_PACKAGE.version, name), nugetOrg);
  return { unsigned, nugetOrg };
}

/** Starts a feed over https (certificate of `tls`) from `dir`, signing in the mode that `signing` (Signing__* keys) configures. */
export async function startKeyFeed(dir: string, tls: TlsMaterial, signing: Readonly<Record<string, string>>): Promise<FeedProcess> {
  const env = {
    Urls: `https://localhost:${await freePort()}`,
    Tls__CertificatePath: tls.certPath,
    Tls__KeyPath: tls.keyPath,
    ApiKeys__0: FEED_API_KEY,
    Storage__Path: 'data',
    Signing__TimestampServerUrl: '',
    NODE_EXTRA_CA_CERTS: tls.caBundlePath,
    ...signing,
  };
  return startSeededFeedProcess(env, dir);
}

/** The status, Retry-After header and body of a push. */
export interface PushResult {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/** Pushes `nupkg` to `feed` the way `dotnet nuget push` does, trusting the CA bundle at `caPath`. */
export async function pushPackage(feed: FeedProcess, nupkg: string, caPath: string): Promise<PushResult> {
  const { payload, headers } = pushBody(await readFile(nupkg));
  const ca = await readFile(caPath, 'utf8');
  const url = new URL('/api/v2/package', feed.serviceIndexUrl);
  return new Promise((resolvePush, reject) => {
    const pushing = request(url, { method: 'PUT', ca, headers: { ...headers, 'x-nuget-apikey': FEED_API_KEY, 'content-length': String(payload.length) } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => {
        const retryAfter = response.headers['retry-after'];
        resolvePush({ status: response.statusCode ?? 0, retryAfter, body });
      });
    });
    pushing.on('error', reject);
    pushing.end(payload);
  });
}
