// SPDX-License-Identifier: MIT
// The in-process fake Kubernetes API server: starts on 127.0.0.1:0 over plain HTTP, serves
// built-ins and installed CRDs, and exposes the clock, test hooks and request log to tests.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { route, type RouterContext } from './api-router.js';
import { CelValidator } from './cel-rules.js';
import { createCelEnvironment } from './cel-environment.js';
import { systemClock, type Clock } from './clock.js';
import { CrdController } from './crd-controller.js';
import { FaultInjector, type DelayRule, type FailureRule } from './fault-injection.js';
import { GarbageCollector } from './garbage-collector.js';
import type { KubeObject } from './json-value.js';
import { kubeConfigFor, writeKubeconfig } from './kubeconfig.js';
import { ObjectStore } from './object-store.js';
import { RequestLog } from './request-log.js';
import { ResourceDeleter } from './resource-deleter.js';
import { ResourcePatcher } from './resource-patcher.js';
import { ResourceReader } from './resource-reader.js';
import { ResourceRegistry } from './resource-registry.js';
import { storageKeyOf } from './resource-type.js';
import { ResourceWriter } from './resource-writer.js';
import type { ServerState } from './server-state.js';
import { WatchHub } from './watch-hub.js';

/** How to start the fake. */
export interface FakeApiServerOptions {
  /** The clock for timestamps and ages; the system clock by default. */
  clock?: Clock;
  /** Events kept for watches before older resourceVersions answer 410 (default 1000). */
  historyLimit?: number;
  /** Whether the garbage collector and namespace controller run (default true). */
  garbageCollector?: boolean;
  /** How often watches that allow bookmarks get one (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** Namespaces that exist from the start (default: default, kube-system, kube-public, kube-node-lease). */
  namespaces?: string[];
}

/** The hooks a test uses to disturb the server. */
export interface TestHooks {
  /** Ends every open watch (`abrupt`: cuts the sockets). */
  dropWatches(abrupt?: boolean): void;
  /** Forgets the event history: a watch from any older resourceVersion then gets 410 Expired. */
  compactHistory(): void;
  /** Answers matching requests with a Status of `code` instead of serving them. */
  injectFailure(rule: FailureRule): void;
  /** Delays matching requests before they are served. */
  delayRequests(rule: DelayRule): void;
  /** Holds back each watch event by `ms` (0 restores immediate delivery). */
  delayWatchEvents(ms: number): void;
  /** Sends a BOOKMARK now on watches that allow them. */
  sendBookmarks(): void;
  /** Writes a non-JSON line on every watch. */
  sendWatchGarbage(): void;
  /** Disarms injected failures and delays. */
  reset(): void;
  /** How many watches are open. */
  openWatches(): number;
}

/** A running fake API server. */
export class FakeApiServer {
  /** The clock the server stamps objects with. */
  readonly clock: Clock;
  /** Every request answered so far. */
  readonly requests = new RequestLog();
  /** Failure injection, watch disturbance and history compaction. */
  readonly hooks: TestHooks;
  private readonly state: ServerState;
  private readonly gc: GarbageCollector;
  private readonly watches: WatchHub;
  private readonly writer: ResourceWriter;
  private url = '';

  private constructor(
    private readonly server: Server,
    options: FakeApiServerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    const store = new ObjectStore(100, options.historyLimit ?? 1000);
    this.state = { store, registry: new ResourceRegistry(), clock: this.clock, cel: new CelValidator(createCelEnvironment()), commitListeners: [] };
    this.writer = new ResourceWriter(this.state);
    const deleter = new ResourceDeleter(this.state, this.writer);
    const crds = new CrdController(this.state, this.writer);
    this.gc = new GarbageCollector(this.state, this.writer, deleter, options.garbageCollector ?? true);
    this.state.commitListeners.push((type, object, removed) => crds.onCommit(type, object, removed), () => this.gc.onCommit());
    this.watches = new WatchHub(store, options.bookmarkIntervalMs ?? 1000);
    const faults = new FaultInjector();
    const context: RouterContext = {
      state: this.state,
      reader: new ResourceReader(this.state),
      writer: this.writer,
      patcher: new ResourcePatcher(this.state, this.writer),
      deleter,
      watches: this.watches,
      faults,
      log: this.requests,
      serverAddress: () => this.url.replace(/^http:\/\//, ''),
    };
    server.on('request', (req, res) => void route(context, req, res));
    const watches = this.watches;
    this.hooks = {
      dropWatches: (abrupt) => watches.dropAll(abrupt),
      compactHistory: () => store.compact(),
      injectFailure: (rule) => faults.fail(rule),
      delayRequests: (rule) => faults.delay(rule),
      delayWatchEvents: (ms) => watches.setDelay(ms),
      sendBookmarks: () => watches.bookmarkAll(),
      sendWatchGarbage: () => watches.garbageAll(),
      reset: () => faults.reset(),
      openWatches: () => watches.count(),
    };
    for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.seedNamespace(name);
  }

  /** Starts a server on 127.0.0.1 with an ephemeral port. */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const server = createServer();
    const fake = new FakeApiServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The server's base URL, `http://127.0.0.1:<port>`. */
  get baseUrl(): string {
    return this.url;
  }

  /** A client-node KubeConfig pointing at the server. */
  kubeConfig(namespace?: string): KubeConfig {
    return kubeConfigFor(this.url, namespace);
  }

  /** Writes a kubeconfig file for kubectl (or `KubeConfig.loadFromFile`) and returns its path. */
  async writeKubeconfig(path: string, namespace?: string): Promise<string> {
    return writeKubeconfig(path, this.url, namespace);
  }

  /** Turns the garbage collector and namespace controller on or off. */
  setGarbageCollector(enabled: boolean): void {
    this.gc.setEnabled(enabled);
  }

  /** The latest resourceVersion, as a number. */
  currentResourceVersion(): number {
    return this.state.store.currentRv();
  }

  /** A stored object read directly from storage (no request logged), or undefined. */
  peek(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.state.registry.findByKind(apiVersion, kind);
    return type === undefined ? undefined : this.state.store.get(storageKeyOf(type), type.namespaced ? namespace : undefined, name);
  }

  /** Ends all watches and closes the listener. */
  async stop(): Promise<void> {
    this.watches.shutdown();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private seedNamespace(name: string): void {
    const type = this.state.registry.find('', 'v1', 'namespaces')!;
    const options = { fieldManager: 'kube-apiserver', explicitManager: true, dryRun: false, fieldValidation: 'Ignore' as const };
    this.writer.create(type, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, options);
  }
}
