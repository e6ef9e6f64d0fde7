// SPDX-License-Identifier: MIT
// Per-test setup: a fake API server, a kubeconfig, kubectl and client-node clients, torn down
// when the test ends.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import {
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { FakeApiServer, type FakeApiServerOptions } from './fake-api-server.js';
import { Kubectl } from './kubectl.js';

/** The Widget CRD fixture path. */
export const WIDGET_CRD = new URL('./fixtures/widget-crd.yaml', import.meta.url).pathname;

/** Everything a conformance test works with. */
export interface Harness {
  server: FakeApiServer;
  dir: string;
  kubeconfigPath: string;
  kubectl: Kubectl;
  /** client-node loaded from the kubeconfig file, as an operator would. */
  kubeConfig: KubeConfig;
  objects: KubernetesObjectApi;
}

/** Starts a fake for `t` and stops it (and removes its files) when `t` ends. */
export async function startHarness(t: TestContext, options: FakeApiServerOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-apiserver-'));
  const server = await FakeApiServer.start(options);
  t.after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const kubeconfigPath = await server.writeKubeconfig(join(dir, 'kubeconfig'));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return { server, dir, kubeconfigPath, kubectl: new Kubectl(kubeconfigPath, dir), kubeConfig, objects: KubernetesObjectApi.makeApiClient(kubeConfig) };
}

/** Installs the Widget CRD through client-node. */
export async function installWidgetCrd(harness: Harness): Promise<void> {
  const crd = loadYaml<KubernetesObject>(await readFile(WIDGET_CRD, 'utf8'));
  await harness.objects.create(crd);
}

/** A valid Widget named `name` in `default`, with overrides merged into its spec. */
export function widget(name: string, spec: Record<string, unknown> = {}): KubernetesObject & { spec: Record<string, unknown> } {
  return { apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec: { color: 'green', small: { size: 1 }, ...spec } };
}

/** A failed call's HTTP code and Status body, or a thrown assertion if the call succeeded. */
export async function apiFailure(call: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) {
      const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      return { code: err.code, status: body as Record<string, unknown> };
    }
    throw err;
  }
  throw new Error('the call succeeded; a failure was expected');
}

/** Writes a Widget's status through `/status` with client-node's CustomObjectsApi (merge patch). */
export async function patchWidgetStatus(harness: Harness, name: string, status: Record<string, unknown>, fieldManager = 'test-controller'): Promise<KubernetesObject> {
  const api = harness.kubeConfig.makeApiClient(CustomObjectsApi);
  return (await api.patchNamespacedCustomObjectStatus(
    { group: 'example.test', version: 'v1', namespace: 'default', plural: 'widgets', name, body: { status }, fieldManager },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as KubernetesObject;
}

/** Reads a Widget through client-node. */
export async function readWidget(harness: Harness, name: string): Promise<KubernetesObject & { spec: Record<string, unknown>; status?: Record<string, unknown> }> {
  return harness.objects.read({ apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name, namespace: 'default' } });
}
