// SPDX-License-Identifier: MIT
// An empty embedded database made once and copied into each test feed's data folder. PGlite's
// initdb takes about 5 s of one core, opening a made database 0.4 s, and most integration tests start
// a feed of their own. The feed still opens the copy and applies every migration, as on any start
// after the first; creating the folder on a first start stays covered by the tests that start the
// feed's process on an empty folder (test/e2e) and by the embedded database's own tests.

import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedDatabase } from '../../../src/db/embedded-database.js';
import { embeddedDatabaseDir } from '../../../src/db/open-database.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'reposign-tests');
const MAKER = fileURLToPath(new URL('../../../src/db/embedded-database.ts', import.meta.url));

/** PGlite's package.json and the module that makes the folder: a change to either makes a new template. */
async function templateKey(): Promise<string> {
  const pgliteManifest = join(dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite'))), '..', 'package.json');
  const manifest = await readFile(pgliteManifest, 'utf8');
  if ((JSON.parse(manifest) as { name?: unknown }).name !== '@electric-sql/pglite') {
    throw new Error(`${pgliteManifest} is not PGlite's package.json: the template cannot be keyed to its version`);
  }
  return createHash('sha256').update(manifest).update(await readFile(MAKER)).digest('hex').slice(0, 16);
}

/** The template folder, made (by the feed's own code, then closed) when missing. Concurrent makers race; the first rename wins. */
async function makeTemplate(): Promise<string> {
  const path = join(CACHE, `pglite-${await templateKey()}`);
  if (existsSync(join(path, 'PG_VERSION'))) return path;
  await mkdir(CACHE, { recursive: true });
  const building = `${path}.build-${randomUUID()}`;
  try {
    const db = await openEmbeddedDatabase(building);
    await db.close();
    await rename(building, path).catch((error: unknown) => {
      // Another test process made it first: use theirs.
      if (!existsSync(join(path, 'PG_VERSION'))) throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return path;
}

/** Found or made once per process: the key's two reads and the check are not repeated per feed. */
let template: Promise<string> | undefined;

/**
 * Copies an empty, never migrated embedded database into the data folder `storagePath` (where the
 * feed opens it) when it has none; a database already there (a test restarting its feed) is kept.
 */
export async function seedEmbeddedDatabase(storagePath: string): Promise<void> {
  const dataDir = embeddedDatabaseDir(storagePath);
  if (existsSync(dataDir)) return;
  await cp(await (template ??= makeTemplate()), dataDir, { recursive: true, errorOnExist: true, force: false });
}
