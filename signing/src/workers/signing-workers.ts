// SPDX-License-Identifier: MIT
// The engine's signing workers. On this virtual machine class a round trip to libuv's thread pool
// costs 0.1-0.3 ms when the pool was idle, and signing a package file asynchronously takes six of
// them (open, read, sign, write, close, rename): more than the RSA signature itself. A worker does
// the whole signing with blocking calls, for one round trip, and the event loop does none of it.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { ReposignError } from '../errors.js';
import type { RepositorySignOptions } from '../package-signer.js';
import type { PortableKey, SigningKey } from '../signing-key.js';
import { decodeError, signingAborted, type SignJob, type SignReply, type WorkerSignResult } from './sign-job.js';
import { WorkerPool } from './worker-pool.js';

/** A worker's thread and its copy of the engine are given back after this long without a package. */
const IDLE_MS = 30_000;

function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sign-worker.js', import.meta.url));
  // The engine runs from its TypeScript sources under tsx (tests, benchmarks), and so does the
  // worker. Node 20's workers do not inherit tsx's module hooks, so there it registers them first.
  const entry = new URL('./sign-worker.ts', import.meta.url).href;
  if (Number(process.versions.node.split('.')[0]) >= 22) return new Worker(new URL(entry));
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}

let pool: WorkerPool<SignJob, SignReply> | undefined;

function signingPool(): WorkerPool<SignJob, SignReply> {
  pool ??= new WorkerPool<SignJob, SignReply>({
    start: startWorker,
    size: availableParallelism(),
    idleMs: IDLE_MS,
    lost: (reason) => new ReposignError('SIGNING_FAILED', `The signing worker stopped before it finished the package: ${reason.message}`, { cause: reason }),
  });
  return pool;
}

const keyIds = new WeakMap<SigningKey, number>();
let lastKeyId = 0;

function keyId(key: SigningKey): number {
  let id = keyIds.get(key);
  if (id === undefined) {
    id = ++lastKeyId;
    keyIds.set(key, id);
  }
  return id;
}

/**
 * repositorySignPackage of the package file `input` on a signing worker, with `portable`, the key's
 * portable form, sent to each worker once. An abort stops the worker's signing before the key signs
 * or before the output is renamed into place, whichever comes next: nothing is written after it.
 */
export async function signOnWorker(input: string, outputPath: string, portable: PortableKey, options: RepositorySignOptions): Promise<WorkerSignResult> {
  const { signal } = options;
  if (signal?.aborted) throw signingAborted(options.key.kind, signal.reason);
  const cancelled = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => void Atomics.store(cancelled, 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const job: SignJob = {
      keyId: keyId(options.key),
      key: undefined,
      input,
      outputPath,
      serviceIndexUrl: options.serviceIndexUrl,
      hashAlgorithm: options.hashAlgorithm,
      packageOwners: options.packageOwners,
      signingTime: options.signingTime,
      cancelled,
    };
    let reply = await signingPool().run(job);
    // A worker that has not seen the key yet asks for it; it keeps it for the next packages.
    if (!reply.ok && 'needsKey' in reply) reply = await signingPool().run({ ...job, key: portable });
    if (reply.ok) return reply.result;
    if ('needsKey' in reply) throw new ReposignError('SIGNING_FAILED', 'The signing worker did not take the key it asked for.');
    const error = decodeError(reply.error);
    throw error instanceof ReposignError && error.code === 'SIGNING_ABORTED' ? signingAborted(options.key.kind, signal?.reason) : error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Stops the signing workers (they also stop by themselves once idle); the next signing starts new ones. */
export async function closeSigningWorkers(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.close();
}
