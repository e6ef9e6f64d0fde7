// SPDX-License-Identifier: MIT
// Runs the feed as its own process — from the production build that `npm start` and the image run
// (scripts/run-tests.mjs brings it up to date first), or from its TypeScript sources (`npm run dev`) —
// and a TLS certificate for it from a test CA.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedEmbeddedDatabase } from '../../signer-service/test/integration/feed/embedded-database-template.js';
import { createRootCa, runOpenssl, type TestCa } from '../../signing/test/helpers/pki.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Which entry point runs: the sources through tsx, or the compiled `dist/` with plain node and the flags `npm start` passes. */
export type FeedEntry = 'source' | 'build';

/**
 * The V8 flags the production entry points pass (`npm start`, the image's CMD, the `reposign-feed`
 * bin; docs/operations.md): they must be on the command line, since Node 24 freezes V8's flags once
 * it has started. test/deploy/production-flags.test.ts keeps the four in step.
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = ['--liftoff-only', '--heap-growing-percent=50', '--expose-gc'];

function feedArguments(entry: FeedEntry): string[] {
  return entry === 'build'
    ? [...PRODUCTION_NODE_FLAGS, join(REPO_ROOT, 'signer-service/dist/src/server.js')]
    : ['--conditions=development', '--import', 'tsx', join(REPO_ROOT, 'signer-service/src/server.ts')];
}

/** A running feed process. */
export interface FeedProcess {
  /** The service index URL the feed printed. */
  readonly serviceIndexUrl: string;
  /** Everything the process printed on stdout so far. */
  stdout(): string;
  /** The nuget.config the feed printed at startup. */
  snippet(): string;
  /** The uppercase SHA-256 fingerprint of the signing certificate, as printed. */
  readonly fingerprint: string;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number | null>;
  readonly child: ChildProcess;
}

/** How a feed process that was expected to refuse to start ended. */
export interface FeedExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the feed with `env` and waits for it to exit (a configuration the feed must refuse). Kills it
 * and rejects if it is still running after `timeoutMs`.
 */
export async function runFeedProcessToExit(env: Record<string, string>, cwd: string, timeoutMs = 60_000): Promise<FeedExit> {
  const child = spawn(process.execPath, feedArguments('build'), {
    cwd: join(REPO_ROOT, 'signer-service'),
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', INIT_CWD: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolveExit, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`feed still running after ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveExit({ code, stdout, stderr });
    });
  });
}

/**
 * Gives the feed that `env` configures (started from `cwd`) an empty embedded database made once, so
 * that it starts like a feed restarted after its first run, without PGlite's 5 s initdb; the feed
 * still applies every migration. For tests about something else than a first start: those about the
 * data folder's own life do not call it. Does nothing without Storage__Path or with PostgreSQL.
 */
async function seedFeedDatabase(env: Readonly<Record<string, string>>, cwd: string): Promise<void> {
  const storage = env['Storage__Path'];
  if (storage === undefined || (env['Database__ConnectionString'] ?? '') !== '') return;
  await seedEmbeddedDatabase(resolve(cwd, storage));
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/**
 * Starts the feed with `env` (configuration as `Section__Key`; `ShutdownDrainSeconds` defaults to 0)
 * from `cwd` and resolves once it printed its banner. Rejects with the output when it exits first or takes longer than `timeoutMs`.
 */
export async function startFeedProcess(env: Record<string, string>, cwd: string, timeoutMs = 60_000, entry: FeedEntry = 'build'): Promise<FeedProcess> {
  const child = spawn(process.execPath, feedArguments(entry), {
    cwd: join(REPO_ROOT, 'signer-service'),
    // No load balancer watches a test's feed: stop without the readiness drain unless a test asks for it.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', INIT_CWD: cwd, ShutdownDrainSeconds: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`feed did not start in ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
    const poll = setInterval(() => {
      if (/<\/configuration>/.test(out)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolveReady();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`feed exited with ${code}:\n${out}\n${err}`));
    });
  });
  const url = /reposign feed ready: (\S+)/.exec(out)?.[1] ?? '';
  const fingerprint = /SHA-256 fingerprint: ([0-9A-F]{64})/.exec(out)?.[1] ?? '';
  return {
    serviceIndexUrl: url,
    fingerprint,
    child,
    stdout: () => out,
    snippet: () => out.slice(out.indexOf('<?xml'), out.indexOf('</configuration>') + '</configuration>'.length),
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** {@link startFeedProcess} on a data folder given an empty embedded database first ({@link seedFeedDatabase}). */
export async function startSeededFeedProcess(env: Record<string, string>, cwd: string, timeoutMs?: number, entry?: FeedEntry): Promise<FeedProcess> {
  await seedFeedDatabase(env, cwd);
  return startFeedProcess(env, cwd, timeoutMs, entry);
}

/** A TLS server certificate for localhost and 127.0.0.1, issued by a fresh test CA. */
export interface TlsMaterial {
  readonly ca: TestCa;
  readonly certPath: string;
  readonly keyPath: string;
  /** A PEM bundle holding only the CA, for SSL_CERT_FILE. */
  readonly caBundlePath: string;
}

/** Creates a test CA and a localhost server certificate under `dir`. */
export async function createTlsMaterial(dir: string): Promise<TlsMaterial> {
  const ca = await createRootCa(dir, { name: 'reposign e2e TLS CA', keyBits: 2048 });
  const certPath = join(dir, 'tls-server.pem');
  const keyPath = join(dir, 'tls-server.key');
  await runOpenssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2',
    '-subj', '/CN=localhost', '-CA', ca.certPath, '-CAkey', ca.keyPath,
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'extendedKeyUsage=serverAuth',
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
  ]);
  const caBundlePath = join(dir, 'ca-bundle.pem');
  await writeFile(caBundlePath, ca.certPem);
  return { ca, certPath, keyPath, caBundlePath };
}

/** GETs `url` over https trusting the CA bundle at `caPath`, and parses the JSON body. */
export async function getJsonOverHttps(url: string, caPath: string): Promise<unknown> {
  const ca = await readFile(caPath, 'utf8');
  return new Promise((resolveBody, reject) => {
    get(url, { ca }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolveBody(JSON.parse(body) as unknown));
    }).on('error', reject);
  });
}

/** Waits until the feed printed something matching `pattern`; fails the test after `timeoutMs`. */
export async function waitForOutput(feed: FeedProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(feed.stdout()) && Date.now() < deadline) await sleep(100);
  assert.match(feed.stdout(), pattern);
}
