// SPDX-License-Identifier: MIT
// The operator's HTTP endpoints for the kubelet and Prometheus: /healthz (the process runs),
// /readyz (its caches are synced; a standby replica is ready too) and /metrics.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What the endpoints report. */
export interface HealthSource {
  readonly registry: Registry;
  ready(): boolean;
}

/** A listening health server. */
export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the endpoints on `host:port` (port 0 picks a free one). */
export async function startHealthServer(source: HealthSource, host: string, port: number): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const text = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'content-type': type }).end(body);
    };
    if (request.method !== 'GET') return text(405, 'method not allowed\n');
    if (path === '/healthz') return text(200, 'ok\n');
    if (path === '/readyz') return source.ready() ? text(200, 'ok\n') : text(503, 'caches not synced\n');
    if (path === '/metrics') {
      source.registry.metrics().then(
        (body) => text(200, body, source.registry.contentType),
        () => text(500, 'metrics unavailable\n'),
      );
      return undefined;
    }
    return text(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
