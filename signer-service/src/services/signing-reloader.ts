// SPDX-License-Identifier: MIT
// Hot reload: polls the key's revision (its provider decides what that is: a digest of mounted
// files, since Kubernetes swaps a Secret's `..data` symlink behind file watchers' backs; later a KMS
// key version) and the config file, and swaps the signing key when either changes. A SelfSigned
// certificate entering its renewal window reports a new revision, so it is renewed here too. A
// change that does not yield a usable key leaves the current key in place.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SigningConfig } from '../config/config.js';
import { isReposignError } from '@reposign/signing';
import { activateSigningCertificate, publishListedCertificates } from './certificate-service.js';
import type { FeedContext, FeedLog } from './feed-context.js';
import { openSigningKey } from './signing-key-source.js';

/** A reload that sets the interval to 0 cannot stop a running reloader: it slows to this. */
const MINIMUM_INTERVAL_MS = 100;

/** What the reloader needs. */
export interface SigningReloaderOptions {
  readonly ctx: FeedContext;
  readonly log: FeedLog;
  /** Re-reads the signing section; undefined keeps the startup configuration. */
  readonly reloadSigning: (() => SigningConfig) | undefined;
  readonly configFile: string | undefined;
}

/** A running reloader. */
export interface SigningReloader {
  /** Runs one check now (tests); resolves when it is done. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

async function fileDigest(path: string | undefined): Promise<string> {
  if (path === undefined) return '';
  return createHash('sha256')
    .update(await readFile(path).catch(() => Buffer.from('(absent)')))
    .digest('hex');
}

/**
 * Starts polling every `Signing:ReloadIntervalSeconds`. Each check re-reads the config file when
 * it changed, asks the current key for its source's revision, and opens the key again when either
 * changed; the new certificate is recorded (append-only) and signs from then on.
 */
export function startSigningReloader(options: SigningReloaderOptions): SigningReloader {
  const { ctx, log } = options;
  let configDigest: string | undefined;
  let sourceRevision: string | undefined;
  let failedRevision: string | undefined;
  let publishedDigest: string | undefined;

  /** Lists the certificates of the published-certificates file when its content changed. */
  const republish = async (): Promise<void> => {
    const path = ctx.signer.signing.publishedCertificatesPath;
    const digest = path === '' ? '' : await fileDigest(path);
    if (digest === publishedDigest) return;
    try {
      const added = await publishListedCertificates(ctx);
      publishedDigest = digest;
      if (added > 0) log.info({ added, path }, 'published certificates listed');
    } catch (error) {
      log.error({ err: error, path }, 'published certificates could not be read; the list stays as it was');
    }
  };

  const check = async (): Promise<void> => {
    await republish();
    let signing = ctx.signer.signing;
    const nextConfigDigest = await fileDigest(options.configFile);
    if (configDigest !== undefined && nextConfigDigest !== configDigest && options.reloadSigning !== undefined) {
      try {
        signing = options.reloadSigning();
      } catch (error) {
        ctx.metrics.certificateReload('error');
        log.error({ err: error }, 'configuration reload failed; the current signing key stays in use');
      }
    }
    configDigest = nextConfigDigest;
    const revision = await ctx.signer.revision();
    const settingsChanged = JSON.stringify(signing) !== JSON.stringify(ctx.signer.signing);
    const first = sourceRevision === undefined;
    sourceRevision ??= revision;
    if (first && !settingsChanged) return;
    if (!settingsChanged && (revision === sourceRevision || revision === failedRevision)) return;
    try {
      const opened = await openSigningKey(signing, ctx.db);
      const previous = ctx.signer.certificate;
      ctx.signer.replace(opened, signing);
      sourceRevision = await ctx.signer.revision();
      failedRevision = undefined;
      await republish();
      if (opened.certificate.fingerprintSha256 !== previous.fingerprintSha256) {
        await activateSigningCertificate(ctx);
        ctx.metrics.certificateReload('reloaded');
        log.info(
          { previous: previous.fingerprintSha256, current: opened.certificate.fingerprintSha256, subject: opened.certificate.subject, generatedBecause: opened.generatedBecause },
          'signing certificate reloaded; the new certificate signs from now on',
        );
      }
    } catch (error) {
      failedRevision = revision;
      ctx.metrics.certificateReload('error');
      log.error({ err: isReposignError(error) ? error.message : error }, 'signing key reload failed; the current key stays in use');
    }
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = check()
        .catch((error: unknown) => log.error({ err: error }, 'signing key check failed'))
        .finally(schedule);
    }, Math.max(ctx.signer.signing.reloadIntervalMs, MINIMUM_INTERVAL_MS));
    timer.unref();
  };
  running = check().catch((error: unknown) => log.error({ err: error }, 'signing key check failed')).finally(schedule);
  return {
    check: async () => {
      await running;
      running = check();
      await running;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
