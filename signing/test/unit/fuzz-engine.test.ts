// SPDX-License-Identifier: MIT
// A short, seeded fuzz run over the zip reader, the CMS signature reader, the nuspec parser and the
// signer (see ../helpers/engine-fuzz.ts); `npm run bench:fuzz` runs the same property for longer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';

import { engineFuzzProperty, prepareFuzzContext, type FuzzContext, type FuzzTally } from '../helpers/engine-fuzz.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SEED = 20261128;
const RUNS = 300;

let dir: string;
let context: FuzzContext;

before(async () => {
  dir = await makeTempDir('fuzz-engine');
  context = await prepareFuzzContext(dir);
});
after(() => removeTempDir(dir));

test('seeds include real nuget.org packages and an engine-signed package', () => {
  assert.ok(context.seeds.some((seed) => seed.name === 'engine-signed' && seed.signature !== undefined));
  assert.ok(context.seeds.length >= 3, `only ${context.seeds.length} seeds`);
});

test(`fuzz: ${RUNS} seeded mutations parse or throw a ReposignError, and what is signed verifies`, { timeout: 300_000 }, async () => {
  const tally: FuzzTally = { parsed: 0, rejected: 0, signed: 0 };
  await fc.assert(engineFuzzProperty(context, tally), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  assert.equal(tally.parsed + tally.rejected + tally.signed, RUNS);
  // The run must exercise both sides of the property, or it proves nothing.
  assert.ok(tally.rejected > 0, 'no input was rejected');
  assert.ok(tally.signed > 0, 'no input was signed');
});
