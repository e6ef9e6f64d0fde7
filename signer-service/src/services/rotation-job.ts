// SPDX-License-Identifier: MIT
// The rotation job: re-signs packages signed by an older certificate with the current one, one at
// a time and throttled. Its progress is the database itself (each row's certificate), so it resumes
// after a restart and replicas can run it side by side.

import { setTimeout as sleep } from 'node:timers/promises';
import { packagesRepository, type PackageRecord } from '../db/packages-repository.js';
import type { FeedContext, FeedLog } from './feed-context.js';
import { storeSignedGeneration } from './signed-generation.js';

const IDLE_POLL_MS = 5_000;

/** What one step of the job did. */
export type RotationStep = 'resigned' | 'skipped' | 'idle';

/** Re-signs `record` under its package lock unless it changed meanwhile. */
async function resign(ctx: FeedContext, record: PackageRecord, fingerprint: string): Promise<'resigned' | 'skipped'> {
  const flightKey = `${record.idLower}/${record.versionLower}/${record.generation}`;
  return ctx.db.withAdvisoryLock(`reposign:sign:${flightKey}`, async (session) => {
    const current = await packagesRepository(session).find(record.idLower, record.versionLower);
    const signedKey = current?.signedKey ?? null;
    if (current === undefined || signedKey === null || current.generation !== record.generation || current.certificateFingerprint === fingerprint) return 'skipped';
    const resigned = await storeSignedGeneration(ctx, session, { mode: 'rotation', record: { ...current, signedKey } });
    return resigned === undefined ? 'skipped' : 'resigned';
  });
}

/**
 * One step of the rotation: re-signs the oldest package not signed by the current certificate.
 * Returns 'idle' when there is none. Throws what signing or storage throws.
 */
export async function rotateOnePackage(ctx: FeedContext, log: FeedLog): Promise<RotationStep> {
  const fingerprint = ctx.signer.certificate.fingerprintSha256;
  const packages = packagesRepository(ctx.db);
  const next = await packages.nextToResign(fingerprint);
  if (next === undefined) {
    ctx.metrics.rotation('idle', 0);
    return 'idle';
  }
  const step = await resign(ctx, next, fingerprint);
  const remaining = await packages.countToResign(fingerprint);
  ctx.metrics.rotation(step, remaining);
  log.info({ id: next.id, version: next.version, from: next.certificateFingerprint, to: fingerprint, outcome: step, remaining }, 'rotation: package re-signed with the current certificate');
  return step;
}

/**
 * Starts the background rotation: one package per `60 / Signing:Rotation:PackagesPerMinute`
 * seconds (read on each step, so a reload can change it). Failures are logged and retried on the
 * next step. `stop` waits for the step in progress.
 */
export function startRotationJob(ctx: FeedContext, log: FeedLog): { stop(): Promise<void> } {
  const controller = new AbortController();
  const loop = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      let interval = 60_000 / ctx.signing.rotation.packagesPerMinute;
      try {
        // Nothing to do: look again at a calmer pace (a reload may bring a new certificate).
        if ((await rotateOnePackage(ctx, log)) === 'idle') interval = Math.max(interval, IDLE_POLL_MS);
      } catch (error) {
        ctx.metrics.rotation('error', await packagesRepository(ctx.db).countToResign(ctx.signer.certificate.fingerprintSha256).catch(() => 0));
        log.error({ err: error }, 'rotation: re-signing a package failed; retrying at the next step');
      }
      await sleep(interval, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  };
  const running = loop();
  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}
