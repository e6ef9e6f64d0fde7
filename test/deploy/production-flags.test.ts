// SPDX-License-Identifier: MIT
// The feed's production entry points pass the same V8 flags: `npm start`, the image's CMD, the
// `reposign-feed` bin's shebang, and the production entry the tests and benches run.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PRODUCTION_NODE_FLAGS } from '../helpers/feed-process.js';
import { ROOT } from './sources.js';

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const flagsOf = (words: readonly string[]): string[] => words.filter((word) => word.startsWith('--'));

test('npm start, the image, the bin and the tests start the feed with the same V8 flags', () => {
  const scripts = (JSON.parse(read('signer-service/package.json')) as { scripts: Record<string, string> }).scripts;
  const start = scripts['start'] ?? '';
  assert.match(start, /^node .*dist\/src\/server\.js$/, 'npm start runs the build with plain node');
  assert.deepEqual(flagsOf(start.split(/\s+/)), PRODUCTION_NODE_FLAGS, 'npm start');

  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(read('signer-service/Dockerfile'))?.[1];
  assert.ok(cmd !== undefined, 'the Dockerfile has an exec-form CMD');
  assert.deepEqual(flagsOf(JSON.parse(cmd) as string[]), PRODUCTION_NODE_FLAGS, 'the image CMD');

  const shebang = read('signer-service/bin/reposign-feed.js').split('\n')[0] ?? '';
  assert.match(shebang, /^#!\/usr\/bin\/env -S node /, 'the bin runs node through env -S');
  assert.deepEqual(flagsOf(shebang.split(/\s+/)), PRODUCTION_NODE_FLAGS, 'the bin shebang');
});
