// SPDX-License-Identifier: MIT
// `npm run bench:fuzz [-- --runs N] [-- --seed S]`: the engine fuzz property of the unit tests
// (signing/test/helpers/engine-fuzz.ts) for many more runs. Prints runs/s, what the inputs did and,
// when the property breaks, the shrunk counterexample with the seed and path that replay it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { engineFuzzProperty, prepareFuzzContext, type FuzzTally } from '../signing/test/helpers/engine-fuzz.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5000' }, seed: { type: 'string' }, path: { type: 'string' } },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run bench:fuzz -- [--runs N] [--seed S] [--path P]');
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'reposign-fuzz-'));
try {
  const context = await prepareFuzzContext(dir);
  console.log(`seeds: ${context.seeds.map((s) => s.name).join(', ')}`);
  console.log(`runs: ${runs}, seed: ${seed}`);
  const tally: FuzzTally = { parsed: 0, rejected: 0, signed: 0 };
  const started = performance.now();
  const details = await fc.check(engineFuzzProperty(context, tally), {
    seed,
    numRuns: runs,
    endOnFailure: false,
    ...(values.path === undefined ? {} : { path: values.path }),
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`${details.numRuns} runs in ${seconds.toFixed(1)} s: ${(details.numRuns / seconds).toFixed(1)} runs/s`);
  console.log(`outcomes: ${tally.parsed} parsed, ${tally.rejected} rejected with a ReposignError, ${tally.signed} signed and verified`);
  if (details.failed) {
    console.log(`COUNTEREXAMPLE (seed ${seed}, path ${details.counterexamplePath ?? '?'}):`);
    console.log(fc.stringify(details.counterexample));
    console.log(details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance));
    process.exitCode = 1;
  } else {
    console.log('no counterexample');
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
