// SPDX-License-Identifier: MIT
// The plain manifests with the real kubectl: `kubectl kustomize deploy/kustomize` renders exactly the
// chart's default objects (plus the Namespace), and they apply to the fake API server; then every
// YAML example of docs/kubernetes.md applies on top, and the documented rotation annotation works.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { startHarness, type Harness } from '../kube-apiserver/test-harness.js';
import { Kubectl } from '../kube-apiserver/kubectl.js';
import { renderChart, type RenderedObject } from './helm-template/chart.js';
import { CHART, DEFAULT_RELEASE, KUSTOMIZE, ROOT } from './sources.js';

/**
 * The Prometheus operator's kinds are CRDs in a real cluster too; they are installed as schemaless
 * CRDs here (their schemas are checked with kubernetes-models in chart.test.ts).
 */
const STAND_INS = [
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor', plural: 'servicemonitors', scope: 'Namespaced' },
  { group: 'monitoring.coreos.com', kind: 'PrometheusRule', plural: 'prometheusrules', scope: 'Namespaced' },
];

function standInCrds(): string {
  return STAND_INS.map(({ group, kind, plural, scope }) =>
    stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${group}` },
      spec: {
        group,
        scope,
        names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    }),
  ).join('---\n');
}

const parseObjects = (text: string): RenderedObject[] => parseAllDocuments(text).flatMap((d) => (d.toJS() === null ? [] : [d.toJS() as RenderedObject]));
const key = (o: RenderedObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byKey = (objects: RenderedObject[]): Map<string, RenderedObject> => new Map(objects.map((o) => [key(o), o]));

async function ok(kubectl: Kubectl, args: string[], input?: string): Promise<string> {
  const result = await kubectl.run(args, input);
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function applyPlainManifests(harness: Harness): Promise<void> {
  await ok(harness.kubectl, ['apply', '-f', '-'], standInCrds());
  const rendered = parseObjects(await ok(harness.kubectl, ['kustomize', KUSTOMIZE]));
  await ok(harness.kubectl, ['apply', '--server-side', '--field-manager=reposign-install', '-f', '-'], rendered.map((o) => stringify(o)).join('---\n'));
}

test('kubectl kustomize deploy/kustomize renders the chart defaults and the Namespace, nothing else', async (t) => {
  const harness = await startHarness(t);
  const kustomized = byKey(parseObjects(await ok(harness.kubectl, ['kustomize', KUSTOMIZE])));
  const chart = renderChart(CHART, DEFAULT_RELEASE).objects;
  assert.deepEqual(kustomized.get('Namespace//reposign'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'reposign' } });
  kustomized.delete('Namespace//reposign');
  assert.deepEqual(kustomized, byKey(chart));
});

test('the plain manifests apply to the API server with kubectl', async (t) => {
  const harness = await startHarness(t);
  await applyPlainManifests(harness);
  const deployments = await ok(harness.kubectl, ['get', 'deployments', '-n', 'reposign', '-o', 'name']);
  assert.deepEqual(deployments.trim().split('\n').sort(), ['deployment.apps/reposign-operator', 'deployment.apps/reposign-signer-service']);
  await ok(harness.kubectl, ['get', 'crd', 'repositorysigners.reposign.dev']);
  await ok(harness.kubectl, ['get', 'clusterrole', 'reposign-operator']);
});

test('the examples of docs/kubernetes.md apply, and the rotation annotation is accepted', async (t) => {
  const harness = await startHarness(t);
  await applyPlainManifests(harness);
  const docs = readFileSync(join(ROOT, 'docs/kubernetes.md'), 'utf8');
  const examples = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((text) => /^kind: RepositorySigner$/m.test(text));
  assert.ok(examples.length >= 3, 'docs/kubernetes.md has its RepositorySigner examples');
  for (const example of examples) await ok(harness.kubectl, ['apply', '-f', '-'], example);
  const names = await ok(harness.kubectl, ['get', 'rsig', '-n', 'reposign', '-o', 'name']);
  assert.ok(names.includes('repositorysigner.reposign.dev/reposign'), names);
  const annotate = /^\s*(kubectl annotate .*)$/m.exec(docs)?.[1];
  assert.ok(annotate !== undefined, 'docs show kubectl annotate');
  const args = annotate.replace(/^kubectl /, '').replace('"$(date -Iseconds)"', '2026-01-01T00:00:00Z').split(/\s+/);
  await ok(harness.kubectl, args);
  const value = await ok(harness.kubectl, ['get', 'rsig/reposign', '-n', 'reposign', '-o', "jsonpath={.metadata.annotations['reposign\\.dev/rotate']}"]);
  assert.equal(value, '2026-01-01T00:00:00Z');
});
