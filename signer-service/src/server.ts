// SPDX-License-Identifier: MIT
// The feed process: load the configuration, open the feed, listen, print how to use it, and shut
// down gracefully on SIGTERM or SIGINT: readiness off first, then the listener, then in-flight requests.

import { readFile } from 'node:fs/promises';
import { buildApp } from './app.js';
import { loadProcessConfig } from './config/load-config.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config/config.js';
import { openFeed, type Feed } from './feed.js';
import { describePublicAddress, listenUrl } from './http/public-url.js';
import { nugetConfigSnippet } from './nuget/nuget-config-snippet.js';
import { keySourceOf } from './services/signing-key-source.js';
import { describeStartupFailure } from './startup-failure.js';

/** The storage folder startup errors name when they carry no path; set once the config loaded. */
let dataPath: string | undefined;

async function main(): Promise<void> {
  const { config, warnings, file } = loadProcessConfig();
  dataPath = config.storagePath;
  const feed = await openFeed(config, { metricsDefaults: true, configFile: file, reloadSigning: () => loadProcessConfig().config.signing });
  await serve(feed, config, warnings, file).catch(async (error: unknown) => {
    await feed.close().catch(() => undefined);
    throw error;
  });
}

async function serve(feed: Feed, config: Config, warnings: readonly string[], file: string | undefined): Promise<void> {
  const https = config.tls === undefined ? undefined : { cert: await readFile(config.tls.certificatePath), key: await readFile(config.tls.keyPath) };
  const app = await buildApp(feed, { logger: { level: config.logLevel }, https });
  for (const warning of warnings) app.log.warn(warning);
  for (const skipped of feed.imported.skipped) app.log.warn({ key: skipped.key }, `dropped package not imported: ${skipped.reason}`);
  if (feed.certificateGeneratedBecause !== undefined) {
    app.log.info({ path: keySourceOf(config.signing).location, fingerprint: feed.ctx.signer.certificate.fingerprintSha256 }, `generated a self-signed certificate: ${feed.certificateGeneratedBecause}`);
  }
  if (feed.ctx.signing.password.value === '' && config.signing.mode === 'SelfSigned') {
    app.log.warn('the self-signed PFX is stored without a password; set Signing:CertificatePasswordSecret');
  }
  feed.startBackgroundJobs(app.log);
  if (feed.imported.imported.length > 0) app.log.info({ count: feed.imported.imported.length }, 'dropped packages imported; each is signed on its first download');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    // Readiness turns 503 while the listener still accepts, so a load balancer stops sending here
    // before connections are refused; then the listener closes and in-flight requests finish.
    feed.beginDrain();
    app.log.info({ signal, drainSeconds: config.shutdownDrainMs / 1000 }, 'shutting down: readiness is off; draining before closing the listener');
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownDrainMs + config.shutdownTimeoutMs);
    timer.unref();
    void sleep(config.shutdownDrainMs)
      .then(() => {
        app.log.info('shutting down: listener closed, finishing in-flight requests');
        return app.close();
      })
      .then(() => feed.close())
      .then(() => process.exit(0), (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const address = config.listen[0] ?? { protocol: 'http', host: 'localhost', port: 5000 };
  await app.listen({ host: address.host, port: address.port });
  const port = (app.server.address() as { port: number } | null)?.port ?? address.port;
  const host = address.host === '0.0.0.0' || address.host === '::' ? 'localhost' : address.host;
  const feedUrl = `${config.publicBaseUrl ?? `${address.protocol}://${host}:${port}`}/v3/index.json`;
  const fingerprint = feed.ctx.signer.certificate.fingerprintSha256;
  const lines = [
    '',
    `reposign feed ready: ${feedUrl}`,
    describePublicAddress(config, listenUrl(address, port)),
    `  storage:  ${config.storagePath}${file === undefined ? '' : `   config: ${file}`}`,
    `  database: ${feed.ctx.db.kind === 'embedded' ? 'embedded (PGlite)' : 'PostgreSQL'}`,
    `  signing certificate (${config.signing.mode}): ${feed.ctx.signer.certificate.subject}`,
    `  SHA-256 fingerprint: ${fingerprint.toUpperCase()}`,
    config.signing.timestampServerUrl === ''
      ? '  timestamps: off (Signing__TimestampServerUrl is empty)'
      : `  timestamps: ${config.signing.timestampServerUrl} (each push contacts it; set Signing__TimestampServerUrl="" on a machine without internet access)`,
    config.apiKeyHashes.length === 0 ? '  push: disabled until an API key is configured (ApiKeys__0=<key>)' : `  push: dotnet nuget push <pkg> --source ${feedUrl} --api-key <key>`,
    feedUrl.startsWith('https://')
      ? '  repository signatures: advertised (https), so `dotnet nuget trust source` works'
      : '  repository signatures: not advertised (the client requires https for that resource; serve TLS or set PublicBaseUrl)',
    '',
    'nuget.config for consumers (restore in require mode):',
    nugetConfigSnippet({
      sourceName: 'reposign',
      serviceIndexUrl: feedUrl,
      fingerprintSha256: fingerprint,
      allowUntrustedRoot: true,
    }),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  const failure = describeStartupFailure(error, dataPath);
  process.stderr.write(`reposign: ${failure.message}\n`);
  process.exit(failure.exitCode);
});
