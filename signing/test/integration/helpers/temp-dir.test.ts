// SPDX-License-Identifier: MIT
// tempDirFor: a test's directory is gone after the test, even when something that outlived its
// removal (a feed stopped by a hook added later) wrote into it again.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const HELPER = fileURLToPath(new URL('../../helpers/temp-dir.ts', import.meta.url));

// A test in its own process: it makes its directory, then adds a hook that writes into it as a
// feed's shutdown would. Hooks run in the order they were added, so the write comes after the
// removal; a last hook reports whether the written file was there once every hook had run.
const LATE_WRITER = `
  import { test } from 'node:test';
  import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
  import { join } from 'node:path';
  import { tempDirFor } from ${JSON.stringify(HELPER)};
  test('late writer', async (t) => {
    const dir = await tempDirFor(t, 'temp-dir-test');
    console.log('DIR=' + dir);
    t.after(() => {
      mkdirSync(join(dir, 'certs'), { recursive: true });
      writeFileSync(join(dir, 'certs', 'key.pfx'), 'secret');
    });
    t.after(() => console.log('WRITTEN_AFTER_REMOVAL=' + existsSync(join(dir, 'certs', 'key.pfx'))));
  });
`;

test('a directory written into after its test removed it is removed when the process exits', async () => {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', LATE_WRITER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, output);
  const dir = /DIR=(\S+)/.exec(output)?.[1];
  assert.ok(dir, output);
  assert.match(output, /WRITTEN_AFTER_REMOVAL=true/, 'the hook wrote after the removal');
  await assert.rejects(access(dir), { code: 'ENOENT' });
});
