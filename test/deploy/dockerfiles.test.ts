// SPDX-License-Identifier: MIT
// Lints every Dockerfile, since images cannot be built on these machines: each base image names a
// supported Node major (24) and a tag other than latest, the final stage runs as a numeric non-root
// USER on an image without a shell, dependencies come from `npm ci` (production only in the final
// image), the feed image compiles the pkcs11js addon in a build stage and ships it, and
// .dockerignore keeps node_modules and builds out of the context.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './sources.js';

const SUPPORTED_NODE_MAJORS = [24];
const dockerfiles = ['signer-service/Dockerfile', 'operator/Dockerfile'];

/** The instructions of a Dockerfile, comments and continuations resolved. */
function instructions(path: string): { op: string; args: string }[] {
  return readFileSync(join(ROOT, path), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.trim().split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

for (const file of dockerfiles) {
  test(`${file}: Node 24 base images with explicit tags, npm ci, numeric non-root USER, no shell at run time`, () => {
    const steps = instructions(file);
    const froms = steps.filter((s) => s.op === 'FROM').map((s) => s.args.split(/\s+/)[0]);
    assert.ok(froms.length >= 2, 'multi-stage');
    for (const image of froms) {
      const tag = /:([^/@]+)$/.exec(image)?.[1];
      assert.ok(tag !== undefined && tag !== 'latest', `${image}: an explicit tag, not latest`);
      const major = /(?:^|node(?:js)?[-:]?)(\d+)(?:[.-]|$)/.exec(image.replace(/^.*\//, ''))?.[1];
      assert.ok(major !== undefined && SUPPORTED_NODE_MAJORS.includes(Number(major)), `${image}: Node ${String(major)} is not a supported LTS`);
    }
    const final = steps.slice(steps.map((s) => s.op).lastIndexOf('FROM'));
    assert.match(final[0].args, /distroless/, 'the final stage has no shell');
    const user = final.filter((s) => s.op === 'USER').at(-1)?.args;
    assert.match(user ?? '', /^[1-9]\d*(:\d+)?$/, 'a numeric non-root USER');
    assert.ok(!final.some((s) => s.op === 'RUN'), 'no RUN in the shell-less final stage');
    assert.match(final.find((s) => s.op === 'CMD')?.args ?? '', /^\[/, 'exec-form CMD');
    const installs = steps.filter((s) => s.op === 'RUN' && /\bnpm (install|i|ci)\b/.test(s.args)).map((s) => s.args);
    assert.ok(installs.length > 0 && installs.every((args) => /\bnpm ci\b/.test(args)), 'installs only with npm ci');
    assert.ok(installs.some((args) => args.includes('--omit=dev') && args.includes('--workspace @reposign/signing')), 'production dependencies of the workspace and @reposign/signing');
  });
}

/** The stages of a Dockerfile: the `AS` name (or the index) of each FROM and the steps under it. */
function stages(path: string): { name: string; steps: { op: string; args: string }[] }[] {
  const result: { name: string; steps: { op: string; args: string }[] }[] = [];
  for (const step of instructions(path)) {
    if (step.op === 'FROM') result.push({ name: /\sAS\s+(\S+)$/i.exec(step.args)?.[1] ?? String(result.length), steps: [] });
    else result.at(-1)?.steps.push(step);
  }
  return result;
}

test('signer-service/Dockerfile: pkcs11js is compiled in a build stage and its node_modules reach the runtime stage', () => {
  const all = stages('signer-service/Dockerfile');
  const runtime = all.at(-1);
  assert.ok(runtime !== undefined);
  const modules = runtime.steps.find((s) => s.op === 'COPY' && /\s\/app\/node_modules\s+node_modules$/.test(s.args));
  const from = /--from=(\S+)/.exec(modules?.args ?? '')?.[1];
  assert.ok(from !== undefined, 'the runtime stage copies node_modules from a build stage');
  const builder = all.find((stage) => stage.name === from);
  assert.ok(builder !== undefined && builder !== runtime, `stage ${from} exists`);
  const runs = builder.steps.filter((s) => s.op === 'RUN').map((s) => s.args);
  const toolchain = runs.findIndex((args) => /\bapt-get install\b/.test(args) && ['python3', 'make', 'g++'].every((tool) => args.split(/\s+/).includes(tool)));
  assert.ok(toolchain >= 0, `stage ${from} installs python3, make and g++`);
  const install = runs.findIndex((args) => /\bnpm ci\b/.test(args));
  const rebuild = runs.findIndex((args) => /\bnpm rebuild pkcs11js\b/.test(args));
  assert.ok(install > toolchain && rebuild > install, 'npm ci (scripts off), then npm rebuild pkcs11js with the toolchain in place');
  assert.doesNotMatch(runs[rebuild] ?? '', /--ignore-scripts/, 'the rebuild runs the addon build');
  assert.match(runs[rebuild] ?? '', /require\('pkcs11js'\)/, 'the built addon is loaded, so a broken build fails the image');
  assert.ok(builder.steps.some((s) => s.op === 'ENV' && /\bnpm_config_nodedir=\/usr\/local\b/.test(s.args)), 'node-gyp uses the image\'s own Node headers');
  assert.ok(!runtime.steps.some((s) => s.op === 'RUN'), 'nothing is compiled in the runtime stage');
});

test('.dockerignore keeps dependencies, builds and VCS data out of the context', () => {
  const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const pattern of ['**/node_modules', '**/dist', '.git']) assert.ok(lines.includes(pattern), pattern);
});
