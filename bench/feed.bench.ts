// SPDX-License-Identifier: MIT
// `npm run bench:feed`: push throughput (1 MB packages, RSA-3072, SHA-256, no TSA), p50/p99 latency of
// first downloads of packages stored unsigned, and signed-download throughput against a plain static
// file server serving the same files, all in one run on loopback.

import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../signer-service/src/app.js';
import { loadConfig } from '../signer-service/src/config/load-config.js';
import { openFeed } from '../signer-service/src/feed.js';
import { pushBody, testPackage } from '../signer-service/test/integration/feed/feed-fixture.js';

const PACKAGE_BYTES = 1024 * 1024;
const PUSHES = Number(process.env['BENCH_PUSHES'] ?? 30);
const FIRST_DOWNLOADS = Number(process.env['BENCH_FIRST_DOWNLOADS'] ?? 30);
const THROUGHPUT_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONCURRENCY = 8;
const API_KEY = 'bench';

async function startFeed(storage: string, signOnPush: boolean): Promise<{ base: string; close: () => Promise<void> }> {
  const { config } = loadConfig({
    argv: [],
    cwd: storage,
    env: {
      Storage__Path: storage,
      ApiKeys__0: API_KEY,
      Signing__TimestampServerUrl: '',
      Signing__SelfSigned__KeySize: '3072',
      Signing__HashAlgorithm: 'SHA256',
      Signing__SignOnPush: String(signOnPush),
      Logging__Level: 'silent',
    },
  });
  const feed = await openFeed(config, { metricsDefaults: false });
  const app = await buildApp(feed, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { base: `http://127.0.0.1:${port}`, close: async () => (await app.close(), await feed.close()) };
}

async function push(base: string, nupkg: Buffer): Promise<void> {
  const { payload, headers } = pushBody(nupkg);
  const response = await fetch(`${base}/api/v2/package`, { method: 'PUT', body: payload, headers: { ...headers, 'x-nuget-apikey': API_KEY } });
  if (response.status !== 201) throw new Error(`push failed: ${response.status} ${await response.text()}`);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Downloads `urls` round-robin from CONCURRENCY workers for THROUGHPUT_SECONDS; returns MB/s. */
async function throughput(urls: readonly string[]): Promise<{ mbPerSecond: number; requests: number }> {
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  const started = performance.now();
  let bytes = 0;
  let requests = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const url = urls[next++ % urls.length] ?? '';
        const response = await fetch(url);
        if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
        // Read first, then add: `bytes += await ...` would read `bytes` before the await and lose updates.
        const size = (await response.arrayBuffer()).byteLength;
        bytes += size;
        requests++;
      }
    }),
  );
  return { mbPerSecond: bytes / 1024 / 1024 / ((performance.now() - started) / 1000), requests };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'reposign-bench-'));
  try {
    // 1. Push throughput, signing at push.
    const pushFeed = await startFeed(join(root, 'push'), true);
    const packages = Array.from({ length: PUSHES }, (_, i) => testPackage({ id: `Bench.Push${i}`, version: '1.0.0', paddingBytes: PACKAGE_BYTES }));
    await push(pushFeed.base, testPackage({ id: 'Bench.Warmup', version: '1.0.0', paddingBytes: PACKAGE_BYTES }));
    const pushStart = performance.now();
    for (const nupkg of packages) await push(pushFeed.base, nupkg);
    const pushSeconds = (performance.now() - pushStart) / 1000;
    await pushFeed.close();

    // 2. First downloads of packages stored unsigned (signed on demand).
    const storage = join(root, 'lazy');
    const lazyFeed = await startFeed(storage, false);
    const ids = Array.from({ length: FIRST_DOWNLOADS }, (_, i) => `bench.lazy${i}`);
    for (const id of ids) await push(lazyFeed.base, testPackage({ id, version: '1.0.0', paddingBytes: PACKAGE_BYTES }));
    const urls = ids.map((id) => `${lazyFeed.base}/v3/flatcontainer/${id}/1.0.0/${id}.1.0.0.nupkg`);
    const latencies: number[] = [];
    for (const url of urls) {
      const started = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);

    // 3. Signed downloads vs the same files from a plain static server.
    const files = new Map<string, string>();
    for (const id of ids) {
      const dir = join(storage, 'packages', id, '1.0.0');
      const name = (await readdir(dir, { recursive: true })).find((entry) => entry.endsWith('.nupkg')) ?? '';
      files.set(`/${id}.nupkg`, join(dir, name));
    }
    const staticServer = createServer((request, response) => {
      const path = files.get(request.url ?? '');
      if (path === undefined) return void response.writeHead(404).end();
      void stat(path).then((info) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size });
        createReadStream(path).pipe(response);
      });
    });
    await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve));
    const staticBase = `http://127.0.0.1:${(staticServer.address() as { port: number }).port}`;
    const feedRun = await throughput(urls);
    const staticRun = await throughput(ids.map((id) => `${staticBase}/${id}.nupkg`));
    staticServer.close();
    await lazyFeed.close();

    const lines = [
      `reposign feed bench (${PUSHES} pushes, ${FIRST_DOWNLOADS} first downloads, 1 MB packages, RSA-3072, SHA-256, no TSA, ${CONCURRENCY} concurrent downloaders for ${THROUGHPUT_SECONDS}s)`,
      `push throughput:            ${(PUSHES / pushSeconds).toFixed(2)} packages/s`,
      `first-download latency:     p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
      `signed download throughput: ${feedRun.mbPerSecond.toFixed(1)} MB/s (${feedRun.requests} requests)`,
      `static file server:         ${staticRun.mbPerSecond.toFixed(1)} MB/s (${staticRun.requests} requests)`,
      `ratio feed/static:          ${(feedRun.mbPerSecond / staticRun.mbPerSecond).toFixed(2)}x (target >= 0.80x)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
