// SPDX-License-Identifier: MIT
// Table-driven checks of the pure pieces: ages, printer-column JSONPath, field error wording and
// the CEL functions the fake adds to @marcbachmann/cel-js.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCelEnvironment } from './cel-environment.js';
import { aggregateText } from './field-errors.js';
import { humanDuration } from './human-duration.js';
import { findJsonPath } from './json-path.js';

test('humanDuration matches apimachinery', () => {
  const cases: [number, string][] = [
    [-5_000, '<invalid>'],
    [-1_000, '0s'],
    [119_000, '119s'],
    [125_000, '2m5s'],
    [600_000, '10m'],
    [3 * 3600_000 + 60_000, '3h1m'],
    [30 * 3600_000, '30h'],
    [50 * 3600_000, '2d2h'],
    [400 * 86400_000, '400d'],
    [(3 * 365 + 10) * 86400_000, '3y10d'],
  ];
  for (const [ms, expected] of cases) assert.equal(humanDuration(ms), expected, String(ms));
});

test('findJsonPath evaluates the printer-column forms', () => {
  const object = { status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] }, metadata: { labels: { 'a.b/c': 'x' } }, spec: { list: [1, 2] } };
  assert.deepEqual(findJsonPath(object, '.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(findJsonPath(object, ".status.conditions[?(@.type=='Synced')].status"), ['False']);
  assert.deepEqual(findJsonPath(object, ".metadata.labels['a.b/c']"), ['x']);
  assert.deepEqual(findJsonPath(object, '.spec.list[1]'), [2]);
  assert.deepEqual(findJsonPath(object, '.spec.list[*]'), [1, 2]);
  assert.deepEqual(findJsonPath(object, '.spec.missing.deeper'), []);
  assert.throws(() => findJsonPath(object, '.spec..list'));
});

test('aggregateText renders one error bare and several in brackets, without duplicates', () => {
  const one = { type: 'FieldValueRequired' as const, field: 'spec.a', detail: '' };
  const two = { type: 'FieldValueTooLong' as const, field: 'spec.b', value: 'xxxx', detail: 'may not be longer than 3' };
  assert.equal(aggregateText([one]), 'spec.a: Required value');
  assert.equal(aggregateText([one, two, one]), '[spec.a: Required value, spec.b: Too long: may not be longer than 3]');
});

test('the CEL environment has the Kubernetes helpers the fake implements', () => {
  const env = createCelEnvironment();
  assert.equal(env.evaluate("isURL('https://example.test/x') && !isURL('nope')"), true);
  assert.equal(env.evaluate("'abc123def'.find('[0-9]+')"), '123');
  assert.deepEqual(env.evaluate("'a1b22'.findAll('[0-9]+')"), ['1', '22']);
  assert.equal(env.evaluate("'a-b-c'.replace('-', '+')"), 'a+b+c');
  assert.equal(env.evaluate("'abc'.charAt(1)"), 'b');
  assert.equal(env.evaluate("duration('90m') > duration('1h') && timestamp('2026-01-02T00:00:00Z') > timestamp('2026-01-01T00:00:00Z')"), true);
  assert.equal(env.evaluate('[has(self.a), has(self.b)].exists_one(x, x)', { self: { a: 1n } }), true);
});
