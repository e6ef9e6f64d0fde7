// SPDX-License-Identifier: MIT
// Opens and closes everything one feed instance owns: storage, database, signer, metrics, and the
// background work (certificate reload, re-signing rotation).

import { mkdir } from 'node:fs/promises';
import type { Config, SigningConfig } from './config/config.js';
import { lockDataFolder, type DataFolderLock } from './db/data-folder-lock.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { FeedError } from './errors.js';
import { activateSigningCertificate, publishListedCertificates } from './services/certificate-service.js';
import { DownloadService } from './services/download-service.js';
import type { FeedContext, FeedLog } from './services/feed-context.js';
import { createFeedMetrics } from './services/feed-metrics.js';
import { createFeedSigner } from './services/feed-signer.js';
import { startRotationJob } from './services/rotation-job.js';
import { openSigningKey, signingKeyNeedsDatabase, type OpenedSigningKey } from './services/signing-key-source.js';
import { startSigningReloader } from './services/signing-reloader.js';
import { sweepOrphanedPackages } from './services/orphan-sweep.js';
import { assertIndexPresent } from './services/index-rebuild.js';
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
  /** Why SelfSigned mode generated a certificate at startup; undefined when it reused one. */
  readonly certificateGeneratedBecause: string | undefined;
  /** Starts the certificate reloader and, when enabled, the rotation job; `close` stops them. */
  startBackgroundJobs(log: FeedLog): void;
  /** True once shutdown began: readiness reports 503 while the listener still accepts (the drain). */
  readonly draining: boolean;
  /** Turns readiness off; the process keeps serving until it closes the app. */
  beginDrain(): void;
  close(): Promise<void>;
}

/** How to open a feed; the defaults suit the process, tests override. */
export interface OpenFeedOptions {
  readonly metricsDefaults: boolean;
  /** Lets tests share one embedded database between apps. */
  readonly database?: Database;
  /** Re-reads the signing section on a config file change (hot reload); throws CONFIG_INVALID. */
  readonly reloadSigning?: () => SigningConfig;
  /** The config file whose changes trigger `reloadSigning`. */
  readonly configFile?: string | undefined;
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
 * Opens storage, the signing key, and the database (running migrations). A key that needs no
 * database is opened first, so a misconfigured one fails before any database is created; a
 * SelfSigned key is opened (and generated when needed) after it, under its lock. Records the
 * signing certificate; indexes
 * packages dropped into storage. Closes what it opened if a step fails. Throws CONFIG_INVALID
 * when the configured key cannot sign.
 */
export async function openFeed(config: Config, options: OpenFeedOptions = { metricsDefaults: false }): Promise<Feed> {
  const lock = await lockEmbeddedDataFolder(config, options);
  const store = await FilesystemPackageStore.open(config.storagePath).catch(async (error: unknown) => {
    await lock?.release();
    throw error;
  });
  const metrics = createFeedMetrics({ defaults: options.metricsDefaults });
  const serviceIndexUrl = signatureServiceIndexUrl(config);
  const ownDb = options.database === undefined;
  let db: Database | undefined;
  let opened: OpenedSigningKey | undefined;
  // Once the signer holds the key, closing the signer closes it.
  let signerHoldsKey = false;
  try {
    // A key that needs no database is opened and judged first: a misconfigured one then fails at
    // once, without creating (and leaving behind) an embedded database.
    if (!signingKeyNeedsDatabase(config.signing)) opened = await openSigningKey(config.signing, undefined);
    db = options.database ?? (await openDatabase({ connectionString: config.databaseConnectionString, storagePath: config.storagePath, pool: config.databasePool }));
    await assertIndexPresent(db, store, config.storagePath);
    opened ??= await openSigningKey(config.signing, db);
    const signer = createFeedSigner(opened, config.signing, serviceIndexUrl, metrics);
    signerHoldsKey = true;
    const database = db;
    const ctx: FeedContext = {
      db: database,
      store,
      signer,
      metrics,
      get signing() {
        return signer.signing;
      },
    };
    try {
      await activateSigningCertificate(ctx);
      await publishListedCertificates(ctx).catch((error: unknown) => {
        throw new FeedError('CONFIG_INVALID', `Signing:PublishedCertificatesPath: ${signer.signing.publishedCertificatesPath} cannot be read as PEM certificates (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
      });
      // Package files a killed process moved in but never committed; the embedded database is this process's alone.
      await sweepOrphanedPackages(ctx, { immediate: database.kind === 'embedded' });
      const imported = await importDroppedPackages(ctx);
      const stops: (() => Promise<void>)[] = [];
      let draining = false;
      return {
        config,
        ctx,
        downloads: new DownloadService(ctx),
        signatureServiceIndexUrl: serviceIndexUrl,
        imported,
        certificateGeneratedBecause: opened.generatedBecause,
        get draining() {
          return draining;
        },
        beginDrain() {
          draining = true;
        },
        startBackgroundJobs(log) {
          if (config.signing.reloadIntervalMs > 0) {
            const reloader = startSigningReloader({ ctx, log, reloadSigning: options.reloadSigning, configFile: options.configFile });
            stops.push(() => reloader.stop());
          }
          if (config.signing.rotation.enabled) {
            const rotation = startRotationJob(ctx, log);
            stops.push(() => rotation.stop());
          }
        },
        async close() {
          await Promise.all(stops.map((stop) => stop()));
          await signer.close();
          if (ownDb) await database.close();
          await store.close();
          await lock?.release();
        },
      };
    } catch (error) {
      await signer.close();
      throw error;
    }
  } catch (error) {
    if (!signerHoldsKey) await opened?.key.close();
    if (ownDb) await db?.close();
    await store.close();
    await lock?.release();
    throw error;
  }
}

/**
 * Takes the data folder's lock when this process opens the embedded database there: PGlite allows
 * one process per folder. PostgreSQL serves any number of replicas (its advisory locks serialise).
 */
async function lockEmbeddedDataFolder(config: Config, options: OpenFeedOptions): Promise<DataFolderLock | undefined> {
  if (config.databaseConnectionString !== undefined || options.database !== undefined) return undefined;
  await mkdir(config.storagePath, { recursive: true });
  return lockDataFolder(config.storagePath);
}
