// Runs the *.test.ts files of the workspaces and of test/ with node:test through tsx.
// `--tier unit|integration|e2e` keeps one tier (the folder below a `test/` root); other arguments
// keep the files whose path contains one of them. Node 20 has no glob support in `node --test`, so
// the files are listed here. The `development` condition makes `@reposign/signing` resolve to its
// TypeScript sources. The feed, the CLI and the admin command that tests start as processes run
// from the build, as `npm start`, the bins and the images do: the build is brought up to date first
// (`tsc -b` recompiles only what changed), so no test runs a stale one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const roots = ['signing/test', 'signer-service/test', 'operator/test', 'test'];
const skipDirs = new Set(['node_modules', 'dist', 'fixtures']);
const tiers = new Set(['unit', 'integration', 'e2e']);

function collect(dir, out) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!skipDirs.has(name)) collect(path, out);
    } else if (name.endsWith('.test.ts')) {
      out.push(relative(process.cwd(), path));
    }
  }
  return out;
}

/** The tier of a test file: the first folder below its root; folders that are not a tier count as integration. */
function tierOf(root, file) {
  const first = relative(root, file).split(sep)[0];
  return tiers.has(first) ? first : 'integration';
}

const args = process.argv.slice(2);
const tierIndex = args.indexOf('--tier');
const tier = tierIndex === -1 ? undefined : args[tierIndex + 1];
if (tier !== undefined && !tiers.has(tier)) {
  console.error(`unknown tier '${tier}' (unit, integration or e2e)`);
  process.exit(2);
}
const filter = args.filter((_, i) => tierIndex === -1 || (i !== tierIndex && i !== tierIndex + 1));
const files = roots
  .flatMap((root) => collect(root, []).filter((file) => tier === undefined || tierOf(root, file) === tier))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The package's own build script, so that there is one definition of the build.
const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' });
if (built.status !== 0) {
  console.error('the build failed: the tests that start the feed or the CLI would run a stale one');
  process.exit(built.status || 1);
}
const scratch = mkdtempSync(join(tmpdir(), 'reposign-tests-'));
const reported = join(scratch, 'files.json');
const result = spawnSync(
  process.execPath,
  [
    '--conditions=development',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${new URL('test-files-reporter.mjs', import.meta.url).href}`,
    `--test-reporter-destination=${reported}`,
    ...files,
  ],
  { stdio: 'inherit' },
);
let ran;
try {
  ran = new Set(JSON.parse(readFileSync(reported, 'utf8')).map((file) => resolve(file)));
} catch {
  ran = new Set();
}
rmSync(scratch, { recursive: true, force: true });
const silent = files.filter((file) => !ran.has(resolve(file)));
if (silent.length > 0) {
  console.error(`\n${silent.length} test file(s) ran no test (they exited early or never started one):\n${silent.map((file) => `  ${file}`).join('\n')}`);
  process.exit(result.status || 1);
}
process.exit(result.status ?? 1);
