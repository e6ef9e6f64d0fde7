// A node:test reporter that writes, once the run ends, the test files that reported at least one
// test of their own (passed, failed or skipped) as a JSON array. run-tests.mjs compares it with the
// files it started: a file that exits without running its tests (a helper that exits early, a
// top-level await that never settles) is otherwise reported as one passing "test" named for the
// file itself, and would pass silently.
import { resolve, sep } from 'node:path';

/** The runner's stand-in for a file that reported no test: named by its path (Node 20) or by its path relative to the working folder (Node 22 and later). */
function isFileStandIn(name, file) {
  return name === file || resolve(name) === file || file.endsWith(`${sep}${name}`);
}

export default async function* testFilesReporter(source) {
  const files = new Set();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { file, name } = event.data;
    if (typeof file === 'string' && !isFileStandIn(name, file)) files.add(file);
  }
  yield JSON.stringify([...files]);
}
