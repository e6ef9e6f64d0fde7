// SPDX-License-Identifier: MIT
// Opens and closes everything one feed instance owns: storage, database, signer and metrics.

import type { Config } from './config/config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { activateSigningCertificate } from './services/certificate-service.js';
import { DownloadService } from './services/download-service.js';
import type { FeedContext } from './services/feed-context.js';
import { createFeedMetrics } from './services/feed-metrics.js';
import { openFeedSigner } from './services/feed-signer.js';
import { importDroppedPackages, type ImportReport } from './services/storage-import.js';
import { FilesystemPackageStore } from './storage/filesystem/filesystem-package-store.js';

/** An open feed: the resources the HTTP app serves from. */
export interface Feed {
  readonly config: Config;
  readonly ctx: FeedContext;
  readonly downloads: DownloadService;
  /** The https service index URL written into every signature. */
  readonly signatureServiceIndexUrl: string;
  /** What the startup scan of dropped packages found. */
  readonly imported: ImportReport;
  close(): Promise<void>;
}

/**
 * The service index URL signatures carry. It must be https (spec §8.3: never compared by clients),
 * so an http feed signs with the https form of its own address.
 */
export function signatureServiceIndexUrl(config: Config): string {
  const first = config.listen[0];
  const host = first === undefined || first.host === '0.0.0.0' || first.host === '::' ? 'localhost' : first.host;
  const base = config.publicBaseUrl ?? `https://${host.includes(':') ? `[${host}]` : host}:${first?.port ?? 443}`;
  return `${base.replace(/^http:/i, 'https:')}/v3/index.json`;
}

/**
 * Opens storage, the database (running migrations), and the signing key; records the signing
 * certificate; indexes packages dropped into storage. Closes what it opened if a step fails.
 * `database` lets tests share one embedded database between apps.
 */
export async function openFeed(config: Config, options: { metricsDefaults: boolean; database?: Database } = { metricsDefaults: false }): Promise<Feed> {
  const store = await FilesystemPackageStore.open(config.storagePath);
  const metrics = createFeedMetrics({ defaults: options.metricsDefaults });
  const serviceIndexUrl = signatureServiceIndexUrl(config);
  const signer = await openFeedSigner(config.signing, serviceIndexUrl, metrics).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  let db: Database | undefined;
  try {
    db = options.database ?? (await openDatabase({ connectionString: config.databaseConnectionString, storagePath: config.storagePath }));
    const ctx: FeedContext = { db, store, signer, metrics, signing: config.signing };
    await activateSigningCertificate(ctx);
    const imported = await importDroppedPackages(ctx);
    const ownDb = options.database === undefined ? db : undefined;
    return {
      config,
      ctx,
      downloads: new DownloadService(ctx),
      signatureServiceIndexUrl: serviceIndexUrl,
      imported,
      async close() {
        await signer.close();
        await ownDb?.close();
        await store.close();
      },
    };
  } catch (error) {
    await signer.close();
    if (options.database === undefined) await db?.close();
    await store.close();
    throw error;
  }
}
