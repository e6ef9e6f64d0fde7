// SPDX-License-Identifier: MIT
// A small pool of worker threads, each running one request at a time: started when first needed,
// stopped after a while without work, replaced when one dies. Nothing here knows what the work is.

import type { Worker } from 'node:worker_threads';

/** How a {@link WorkerPool} runs its workers. */
export interface WorkerPoolOptions {
  /** Starts a worker, which answers each message with exactly one message. */
  readonly start: () => Worker;
  /** Most workers running at once; requests beyond them wait in order. */
  readonly size: number;
  /** Milliseconds a worker may wait without work before it is stopped, giving its memory back. */
  readonly idleMs: number;
  /** The error a request fails with when its worker dies under it (`reason` says how). */
  readonly lost: (reason: Error) => Error;
}

interface Request<In, Out> {
  readonly message: In;
  readonly resolve: (reply: Out) => void;
  readonly reject: (error: Error) => void;
}

interface PooledWorker<In, Out> {
  readonly worker: Worker;
  current: Request<In, Out> | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * Runs requests on up to `size` workers. A worker that is waiting does not keep the process alive;
 * one that errs or exits fails the request it was running with `lost` and is replaced for the next.
 */
export class WorkerPool<In, Out> {
  readonly #options: WorkerPoolOptions;
  readonly #workers = new Set<PooledWorker<In, Out>>();
  readonly #idle: PooledWorker<In, Out>[] = [];
  readonly #waiting: Request<In, Out>[] = [];

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`A worker pool needs at least one worker, not ${options.size}.`);
    this.#options = options;
  }

  /** Workers running now, busy or idle. */
  get workerCount(): number {
    return this.#workers.size;
  }

  /** Sends `message` to a free worker (started if needed) and resolves with its answer. */
  run(message: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#waiting.push({ message, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every worker; requests still running or waiting fail with `lost`. */
  async close(): Promise<void> {
    const closed = new Error('The worker pool was closed.');
    for (const request of this.#waiting.splice(0)) request.reject(this.#options.lost(closed));
    await Promise.all([...this.#workers].map((pooled) => this.#stop(pooled, closed)));
  }

  #dispatch(): void {
    for (let request = this.#waiting[0]; request !== undefined; request = this.#waiting[0]) {
      const pooled = this.#idle.pop() ?? (this.#workers.size < this.#options.size ? this.#start() : undefined);
      if (pooled === undefined) return;
      this.#waiting.shift();
      clearTimeout(pooled.idleTimer);
      pooled.idleTimer = undefined;
      pooled.current = request;
      pooled.worker.ref();
      pooled.worker.postMessage(request.message);
    }
  }

  #start(): PooledWorker<In, Out> {
    const pooled: PooledWorker<In, Out> = { worker: this.#options.start(), current: undefined, idleTimer: undefined };
    this.#workers.add(pooled);
    pooled.worker.on('message', (reply: Out) => {
      const request = pooled.current;
      if (request === undefined) return;
      pooled.current = undefined;
      this.#rest(pooled);
      request.resolve(reply);
      this.#dispatch();
    });
    pooled.worker.on('error', (error) => this.#lose(pooled, error));
    pooled.worker.on('exit', (code) => this.#lose(pooled, new Error(`The worker exited with code ${code}.`)));
    return pooled;
  }

  /** Parks `pooled` until the next request, and stops it after `idleMs` without one. */
  #rest(pooled: PooledWorker<In, Out>): void {
    if (!this.#workers.has(pooled)) return;
    pooled.worker.unref();
    this.#idle.push(pooled);
    pooled.idleTimer = setTimeout(() => void this.#stop(pooled, new Error('The worker was idle.')), this.#options.idleMs);
    pooled.idleTimer.unref();
  }

  /** Forgets `pooled`, failing its request with `reason`, and lets the next request start a new worker. */
  #lose(pooled: PooledWorker<In, Out>, reason: Error): void {
    if (!this.#workers.delete(pooled)) return;
    clearTimeout(pooled.idleTimer);
    const at = this.#idle.indexOf(pooled);
    if (at >= 0) this.#idle.splice(at, 1);
    const request = pooled.current;
    pooled.current = undefined;
    request?.reject(this.#options.lost(reason));
    this.#dispatch();
  }

  async #stop(pooled: PooledWorker<In, Out>, reason: Error): Promise<void> {
    this.#lose(pooled, reason);
    await pooled.worker.terminate();
  }
}
