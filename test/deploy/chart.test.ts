// SPDX-License-Identifier: MIT
// The chart: values files against values.schema.json, a comment on every values key, every object of
// every values file (defaults and charts/reposign/ci/*) against the Kubernetes schemas, least-privilege
// RBAC, leader election, the CRD keep policy, NOTES.txt, and the generated files kept in sync.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { loadConfig } from '../../signer-service/src/config/load-config.js';
import { coalesce, readYaml, renderChart, type RenderedObject } from './helm-template/chart.js';
import { validateKubernetesObject } from './kube-schemas.js';
import { CHART, chartCrdTemplate, DEFAULT_RELEASE, KUSTOMIZE, plainManifests } from './sources.js';

const valuesFiles = ['values.yaml', ...readdirSync(join(CHART, 'ci')).map((name) => `ci/${name}`)];
const validateValues = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as object);
const find = (objects: RenderedObject[], kind: string, name?: string): RenderedObject | undefined =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const overrides = (file: string): Record<string, unknown> => (file === 'values.yaml' ? {} : readYaml(join(CHART, file)));
const render = (values: Record<string, unknown> = {}): RenderedObject[] => renderChart(CHART, { ...DEFAULT_RELEASE, values }).objects;

test('every values file, coalesced with values.yaml as Helm does, validates against values.schema.json', () => {
  const defaults = readYaml<Record<string, unknown>>(join(CHART, 'values.yaml'));
  for (const file of valuesFiles) assert.ok(validateValues(coalesce(defaults, overrides(file))), `${file}: ${JSON.stringify(validateValues.errors)}`);
});

test('values.schema.json rejects unknown keys and wrong types', () => {
  assert.equal(validateValues({ ...readYaml<object>(join(CHART, 'values.yaml')), extra: 1 }), false);
  const values = readYaml<{ operator: Record<string, unknown> }>(join(CHART, 'values.yaml'));
  assert.equal(validateValues({ ...values, operator: { ...values.operator, replicas: '2' } }), false);
});

test('every key of values.yaml has a comment above it', () => {
  const lines = readFileSync(join(CHART, 'values.yaml'), 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (/^\s*[A-Za-z][\w.-]*:/.test(line)) assert.match(lines[i - 1], /^\s*#/, `values.yaml line ${i + 1} (${line.trim()}) has no comment`);
  });
});

test('every object of every values file validates against the Kubernetes schemas', async () => {
  for (const file of valuesFiles) {
    const objects = render(overrides(file));
    assert.ok(objects.length > 0, file);
    for (const object of objects) await validateKubernetesObject(object);
  }
});

test('RBAC: a ClusterRole when watching everything, a Role in the watched namespace otherwise', () => {
  const cluster = render();
  const role = find(cluster, 'ClusterRole') as unknown as { rules: { resources: string[]; verbs: string[] }[] };
  assert.ok(find(cluster, 'ClusterRoleBinding'));
  assert.ok(!role.rules.some((r) => r.resources.includes('deployments')), 'no Deployment access by default');
  assert.ok(!role.rules.some((r) => r.verbs.includes('*') || r.resources.includes('*')));
  assert.deepEqual(role.rules.find((r) => r.resources.includes('repositorysigners/finalizers'))?.verbs, ['update']);
  assert.equal(find(cluster, 'Role'), undefined, 'no Lease access with one replica');

  const scoped = render(readYaml(join(CHART, 'ci/full-values.yaml')));
  assert.equal(find(scoped, 'ClusterRole'), undefined);
  assert.equal(find(scoped, 'Role', 'reposign-operator')?.metadata.namespace, 'nuget');
  assert.equal(find(scoped, 'RoleBinding', 'reposign-operator')?.metadata.namespace, 'nuget');
  const lease = find(scoped, 'Role', 'reposign-operator-leader-election') as unknown as { metadata: { namespace: string }; rules: { resourceNames?: string[] }[] };
  assert.equal(lease.metadata.namespace, 'reposign');
  assert.deepEqual(lease.rules[1].resourceNames, ['reposign-operator']);
});

test('leader election is on exactly when there is more than one replica', () => {
  const envOf = (objects: RenderedObject[]): Record<string, unknown> => {
    const deployment = find(objects, 'Deployment', 'reposign-operator') as unknown as { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
    return Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
  };
  assert.equal(envOf(render()).LEADER_ELECTION, 'false');
  assert.equal(envOf(render({ operator: { replicas: 2 } })).LEADER_ELECTION, 'true');
  assert.equal(envOf(render({ operator: { replicas: 2 } })).LEADER_ELECTION_NAME, 'reposign-operator');
});

test('the feed mounts the operator Secret without subPath and reads REPOSIGN_CONFIG from it', () => {
  const deployment = find(render(), 'Deployment', 'reposign-signer-service') as unknown as {
    spec: { template: { spec: { volumes: { name: string; secret?: { secretName: string } }[]; containers: { env: { name: string; value?: string }[]; volumeMounts: { name: string; mountPath: string; subPath?: string }[] }[] } } };
  };
  const pod = deployment.spec.template.spec;
  assert.equal(pod.volumes.find((v) => v.name === 'signing')?.secret?.secretName, 'reposign-signer-config');
  const mount = pod.containers[0].volumeMounts.find((m) => m.name === 'signing');
  assert.deepEqual([mount?.mountPath, mount?.subPath], ['/etc/reposign/signing', undefined]);
  assert.equal(pod.containers[0].env.find((e) => e.name === 'REPOSIGN_CONFIG')?.value, '/etc/reposign/signing/reposign.json');
});

test('the CRD is kept on uninstall unless crds.keep is false, and absent when crds.enabled is false', () => {
  assert.equal(find(render(), 'CustomResourceDefinition')?.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
  assert.equal(find(render({ crds: { keep: false } }), 'CustomResourceDefinition')?.metadata.annotations, undefined);
  assert.equal(find(render({ crds: { enabled: false } }), 'CustomResourceDefinition'), undefined);
});

test('the PrometheusRule alerts on expiry inside the renewal window, failed signings and stuck rotations', () => {
  const rule = find(render({ monitoring: { prometheusRule: { enabled: true } } }), 'PrometheusRule') as unknown as { spec: { groups: { rules: { alert: string; expr: string }[] }[] } };
  const exprs = rule.spec.groups[0].rules.map((r) => r.expr).join('\n');
  for (const metric of ['reposign_operator_certificate_renewal_time_seconds', 'reposign_operator_certificate_not_after_seconds', 'reposign_operator_issuing_since_seconds', 'reposign_operator_issuance_failures_total', 'reposign_signings_total{outcome="error"}']) {
    assert.ok(exprs.includes(metric), metric);
  }
  assert.ok(exprs.includes('> 30 * 60'));
});

test('NOTES.txt prints the feed URL and how to read the fingerprint', () => {
  const notes = renderChart(CHART, { ...DEFAULT_RELEASE, values: { signerService: { ingress: { enabled: true, tlsSecretName: 'tls' } } } }).notes;
  assert.match(notes, /https:\/\/nuget\.example\.com\/v3\/index\.json/);
  assert.match(notes, /-o jsonpath='\{\.status\.fingerprint\}'/);
  assert.match(renderChart(CHART, DEFAULT_RELEASE).notes, /kubectl port-forward -n reposign svc\/reposign-signer-service/);
});

test('the chart CRD template and the plain manifests are regenerated (npm run generate:deploy)', () => {
  assert.equal(readFileSync(join(CHART, 'templates/crd-repositorysigners.yaml'), 'utf8'), chartCrdTemplate());
  assert.equal(readFileSync(join(KUSTOMIZE, 'reposign.yaml'), 'utf8'), plainManifests());
});

test('the feed accepts the configuration the chart gives it: a public address is always set, and named as the chart says', () => {
  const feedEnv = (values: Record<string, unknown>): Record<string, string> => {
    const deployment = find(render(values), 'Deployment', 'reposign-signer-service') as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    // Plain values only: REPOSIGN_CONFIG names the operator's Secret, mounted only in the pod.
    const env = deployment.spec.template.spec.containers[0].env.filter((e) => e.value !== undefined && e.name !== 'REPOSIGN_CONFIG');
    return Object.fromEntries(env.map((e) => [e.name, e.value ?? '']));
  };
  const publicAddress = (values: Record<string, unknown>): string | undefined => loadConfig({ argv: [], env: feedEnv(values), cwd: tmpdir() }).config.publicBaseUrl;
  assert.equal(publicAddress({}), 'http://localhost:5000');
  assert.equal(publicAddress({ signerService: { ingress: { enabled: true, tlsSecretName: 'tls' } } }), 'https://nuget.example.com');
  assert.equal(publicAddress({ signerService: { ingress: { enabled: true }, publicBaseUrl: 'https://feed.contoso.com' } }), 'https://feed.contoso.com');
  // The rule the chart must satisfy: the feed listens beyond loopback, so without the address it refuses to start.
  const withoutAddress = Object.fromEntries(Object.entries(feedEnv({})).filter(([name]) => name !== 'PublicBaseUrl'));
  assert.throws(() => loadConfig({ argv: [], env: withoutAddress, cwd: tmpdir() }), /PublicBaseUrl: must be set/);
});
