// SPDX-License-Identifier: MIT
// `npm run bench:memory`: resident memory of an idle feed process on the embedded database, once
// ready on a fresh data folder and again after a restart on the same folder — the production build
// (`npm start`, plain node) when `signer-service/dist` exists (run `npm run build` first), else the
// sources through tsx.

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startFeedProcess, type FeedEntry } from '../test/helpers/feed-process.js';

const SETTLE_MS = Number(process.env['BENCH_SETTLE_MS'] ?? 3000);
const TARGET_MB = 200;
const entry: FeedEntry = existsSync(fileURLToPath(new URL('../signer-service/dist/src/server.js', import.meta.url))) ? 'build' : 'source';

/** VmRSS and VmHWM (peak) of `pid`, in MB. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Starts the feed on `storage`, waits until it is ready and idle, and measures it. */
async function idleRun(storage: string, extraEnv: Record<string, string>): Promise<{ rss: number; peak: number; startSeconds: number }> {
  const port = await freePort();
  const started = Date.now();
  const feed = await startFeedProcess(
    { Urls: `http://127.0.0.1:${port}`, Storage__Path: storage, ApiKeys__0: 'bench', Signing__TimestampServerUrl: '', Signing__SelfSigned__KeySize: '2048', Logging__Level: 'warn', ...extraEnv },
    storage,
    180_000,
    entry,
  );
  const startSeconds = (Date.now() - started) / 1000;
  const health = await fetch(`http://127.0.0.1:${port}/health/ready`);
  if (health.status !== 200) throw new Error(`feed not ready: ${health.status}`);
  await sleep(SETTLE_MS);
  const pid = feed.child.pid;
  if (pid === undefined) throw new Error('feed process has no pid');
  const memory = await memoryOf(pid);
  await feed.stop();
  return { ...memory, startSeconds };
}

const mb = (value: number): string => `${value.toFixed(0)} MB`;

const dir = await mkdtemp(join(tmpdir(), 'reposign-idle-memory-'));
try {
  const storage = join(dir, 'data');
  const fresh = await idleRun(storage, {});
  const restarted = await idleRun(storage, {});
  const rows = [
    ['embedded (PGlite), fresh folder', fresh],
    ['embedded (PGlite), after restart', restarted],
  ] as const;
  process.stdout.write(`idle RSS of the feed process (${entry === 'build' ? 'production build, plain node' : 'sources through tsx'}; measured ${SETTLE_MS / 1000} s after ready; machine shared)\n`);
  process.stdout.write(`${'run'.padEnd(36)} ${'idle RSS'.padStart(9)} ${'peak RSS'.padStart(9)} ${'start'.padStart(7)}  target ≤ ${TARGET_MB} MB\n`);
  for (const [name, run] of rows) {
    process.stdout.write(`${name.padEnd(36)} ${mb(run.rss).padStart(9)} ${mb(run.peak).padStart(9)} ${`${run.startSeconds.toFixed(1)} s`.padStart(7)}  ${run.rss <= TARGET_MB ? 'met' : 'MISSED'}\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
