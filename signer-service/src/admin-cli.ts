// SPDX-License-Identifier: MIT
// `reposign-feed admin <command>`: maintenance the feed process does not do by itself. The feed must
// be stopped for commands on the embedded database (they take the data folder's lock).

import { mkdir } from 'node:fs/promises';
import { loadProcessConfig } from './config/load-config.js';
import { lockDataFolder } from './db/data-folder-lock.js';
import { openDatabase } from './db/open-database.js';
import { signatureServiceIndexUrl } from './feed.js';
import { rebuildIndex, type RebuildReport } from './services/index-rebuild.js';
import { describeStartupFailure, EXIT } from './startup-failure.js';
import { FilesystemPackageStore } from './storage/filesystem/filesystem-package-store.js';

const USAGE = 'usage: reposign-feed admin rebuild-index [--config <file>]';

/** Rebuilds the package index from storage with the feed's configuration (Storage:Path, Database:ConnectionString). */
async function rebuild(): Promise<RebuildReport> {
  const { config } = loadProcessConfig();
  const embedded = config.databaseConnectionString === undefined;
  if (embedded) await mkdir(config.storagePath, { recursive: true });
  const lock = embedded ? await lockDataFolder(config.storagePath) : undefined;
  try {
    const store = await FilesystemPackageStore.open(config.storagePath);
    try {
      const db = await openDatabase({ connectionString: config.databaseConnectionString, storagePath: config.storagePath, pool: config.databasePool });
      try {
        return await rebuildIndex(db, store, signatureServiceIndexUrl(config));
      } finally {
        await db.close();
      }
    } finally {
      await store.close();
    }
  } finally {
    await lock?.release();
  }
}

async function main(args: readonly string[]): Promise<number> {
  const command = args.filter((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--config');
  if (command.join(' ') !== 'admin rebuild-index') {
    process.stderr.write(`${USAGE}\n`);
    return 64; // EX_USAGE
  }
  const report = await rebuild();
  for (const { key, signed } of report.imported) process.stdout.write(`imported ${key}${signed ? ' (signed)' : ' (signed on first download)'}\n`);
  for (const { key, reason } of report.skipped) process.stdout.write(`skipped  ${key}: ${reason}\n`);
  process.stdout.write(`rebuild-index: ${report.imported.length} imported, ${report.skipped.length} skipped\n`);
  return report.imported.length === 0 && report.skipped.length > 0 ? EXIT.dataError : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const failure = describeStartupFailure(error);
    process.stderr.write(`reposign-feed: ${failure.message}\n`);
    process.exit(failure.exitCode);
  },
);
