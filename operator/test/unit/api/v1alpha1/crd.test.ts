// SPDX-License-Identifier: MIT
// The generated CRD: names, printer columns, structural schema, crds/ drift, and the examples
// (valid and invalid) against its OpenAPI schema and CEL rules.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

import { PRINTER_COLUMNS, repositorySignerCrd } from '../../../../src/api/v1alpha1/crd.js';
import { crdFiles } from '../../../../src/api/v1alpha1/crd-files.js';
import type { OpenApiSchema } from '../../../../src/api/v1alpha1/openapi.js';
import { signingProviders } from '@reposign/signing';
import { rejections } from '../../../helpers/schema-validation.js';

const crd = repositorySignerCrd(signingProviders());
const schema = crd.spec.versions[0].schema.openAPIV3Schema;
const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

const STRUCTURAL_FORBIDDEN = ['$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'patternProperties', 'const'];

/** Every violation of the structural-schema rules under `node`. */
function structuralProblems(node: OpenApiSchema, path: string): string[] {
  const problems: string[] = [];
  const keys = Object.keys(node);
  if (!node.type) problems.push(`${path}: no type`);
  for (const key of keys) if (STRUCTURAL_FORBIDDEN.includes(key) || key.startsWith('~')) problems.push(`${path}: ${key}`);
  if (node.properties && node.additionalProperties) problems.push(`${path}: properties and additionalProperties`);
  if (node.type === 'array' && !node.items) problems.push(`${path}: array without items`);
  for (const [name, child] of Object.entries(node.properties ?? {})) problems.push(...structuralProblems(child, `${path}.${name}`));
  if (node.items) problems.push(...structuralProblems(node.items, `${path}[]`));
  return problems;
}

function loadExample(name: string): Record<string, unknown> {
  return parse(readFileSync(`${repoRoot}operator/examples/${name}`, 'utf8')) as Record<string, unknown>;
}

function withSpec(base: Record<string, unknown>, spec: Record<string, unknown>): Record<string, unknown> {
  return { ...base, spec: { ...(base.spec as Record<string, unknown>), ...spec } };
}

const messages = (object: unknown, old?: unknown) => rejections(schema, object, old).map((r) => r.message);

describe('the RepositorySigner CRD', () => {
  test('is namespaced reposign.dev/v1alpha1 with short name rsig and the status subresource', () => {
    assert.equal(crd.metadata.name, 'repositorysigners.reposign.dev');
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual(crd.spec.names.shortNames, ['rsig']);
    assert.deepEqual(crd.spec.versions[0].subresources, { status: {} });
    assert.equal(crd.spec.versions[0].name, 'v1alpha1');
  });

  test('shows Ready, Mode, Fingerprint, Not After and Age by default', () => {
    assert.deepEqual(
      PRINTER_COLUMNS.filter((c) => !c.priority).map((c) => [c.name, c.jsonPath]),
      [
        ['Ready', '.status.conditions[?(@.type=="Ready")].status'],
        ['Mode', '.spec.mode'],
        ['Fingerprint', '.status.shortFingerprint'],
        ['Not After', '.status.notAfter'],
        ['Age', '.metadata.creationTimestamp'],
      ],
    );
  });

  test('has a structural schema', () => {
    assert.deepEqual(structuralProblems(schema, 'openAPIV3Schema'), []);
  });

  test('defaults only rotationPolicy and revisionHistoryLimit', () => {
    const defaults: string[] = [];
    const walk = (node: OpenApiSchema, path: string): void => {
      if (node.default !== undefined) defaults.push(`${path}=${JSON.stringify(node.default)}`);
      for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${name}`);
    };
    walk(schema, '');
    assert.deepEqual(defaults, ['.spec.certificate.privateKey.rotationPolicy="Always"', '.spec.revisionHistoryLimit=1']);
  });

  test('crds/ holds exactly what the generator makes (run npm run generate:crds -w @reposign/operator)', () => {
    for (const file of crdFiles()) assert.equal(readFileSync(`${repoRoot}crds/${file.name}`, 'utf8'), file.content, `crds/${file.name} drifted`);
    assert.deepEqual(parse(crdFiles()[0].content), JSON.parse(JSON.stringify(crd)));
  });
});

describe('the examples', () => {
  const files = readdirSync(`${repoRoot}operator/examples`).filter((f) => f.endsWith('.yaml'));

  test('cover every mode the CRD offers', () => {
    const modes = files.map((f) => (loadExample(f).spec as { mode: string }).mode).sort();
    assert.deepEqual(modes, [...(schema.properties?.spec.properties?.mode.enum ?? [])].sort());
  });

  for (const file of files) {
    test(`${file} passes the OpenAPI schema and every CEL rule`, () => {
      assert.deepEqual(rejections(schema, loadExample(file)), []);
    });
  }
});

describe('invalid RepositorySigners are rejected with the CRD message', () => {
  const selfSigned = loadExample('self-signed.yaml');
  const certificate = (selfSigned.spec as { certificate: Record<string, unknown> }).certificate;
  const cases: [string, Record<string, unknown>, string][] = [
    ['two provider blocks', withSpec(selfSigned, { storedCertificate: {} }), 'exactly one provider block'],
    ['no provider block', withSpec(selfSigned, { selfSigned: undefined }), 'exactly one provider block'],
    ['a block not matching the mode', withSpec(selfSigned, { mode: 'AwsKms' }), 'the provider block must match spec.mode'],
    ['a 1024-bit key', withSpec(selfSigned, { certificate: { ...certificate, privateKey: { size: 1024 } } }), 'NuGet rejects RSA keys shorter than 2048 bits'],
    ['renewBefore and renewBeforePercentage', withSpec(selfSigned, { certificate: { ...certificate, renewBeforePercentage: 10 } }), 'mutually exclusive'],
    ['renewBefore not below duration', withSpec(selfSigned, { certificate: { ...certificate, renewBefore: '8760h' } }), 'renewBefore must be shorter than duration'],
    ['a duration under one hour', withSpec(selfSigned, { certificate: { duration: '59m' } }), 'duration must be at least 1h'],
    ['a duration in days', withSpec(selfSigned, { certificate: { duration: '365d' } }), 'must match pattern'],
    ['SelfSigned without secretName', withSpec(selfSigned, { secretName: undefined }), 'secretName is required for mode SelfSigned'],
    ['the refused AwsSigner mode', withSpec(selfSigned, { mode: 'AwsSigner', selfSigned: undefined, awsSigner: {} }), 'must be equal to one of the allowed values'],
  ];
  for (const [name, object, expected] of cases) {
    test(name, () => {
      const found = messages(JSON.parse(JSON.stringify(object)));
      assert.ok(found.some((m) => m.includes(expected)), `expected '${expected}' among ${JSON.stringify(found)}`);
    });
  }

  test('secretName cannot change or go once set, but may be set later', () => {
    const renamed = withSpec(selfSigned, { secretName: 'other' });
    assert.ok(messages(renamed, selfSigned).includes('secretName is immutable'));
    assert.ok(messages(withSpec(selfSigned, { mode: 'StoredCertificate', selfSigned: undefined, storedCertificate: {}, secretName: undefined }), selfSigned).includes('secretName is immutable'));
    const stored = loadExample('stored-certificate.yaml');
    assert.deepEqual(messages(withSpec(stored, { secretName: 'later' }), stored), []);
  });
});
