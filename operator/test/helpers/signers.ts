// SPDX-License-Identifier: MIT
// Builders for decision-core tests: a RepositorySigner, certificate facts and an Observed snapshot,
// each with overrides, and a fixed clock origin.

import type { Condition, ConditionType } from '../../src/api/v1alpha1/conditions.js';
import type { RepositorySigner } from '../../src/api/v1alpha1/repository-signer.js';
import type { RepositorySignerSpec } from '../../src/api/v1alpha1/spec.js';
import type { RepositorySignerStatus } from '../../src/api/v1alpha1/status.js';
import { FINALIZER } from '../../src/api/v1alpha1/names.js';
import type { Decision } from '../../src/reconcile/decision.js';
import type { CertificateFacts, Observed } from '../../src/reconcile/observed.js';

/** The fake clock's origin: 2026-09-01T09:00:00Z. */
export const T0 = Date.parse('2026-09-01T09:00:00Z');

/** Milliseconds per hour and per day. */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** An ISO timestamp `ms` after {@link T0}. */
export function at(ms: number): string {
  return new Date(T0 + ms).toISOString().replace('.000Z', 'Z');
}

/** A 64-hex fingerprint made of one repeated character. */
export function fingerprint(char: string): string {
  return char.repeat(64);
}

/** A SelfSigned RepositorySigner at generation 1 with the finalizer, with overrides. */
export function signer(overrides: { spec?: Partial<RepositorySignerSpec>; status?: RepositorySignerStatus; generation?: number; annotations?: Record<string, string>; finalizers?: string[]; deletionTimestamp?: string } = {}): RepositorySigner {
  return {
    apiVersion: 'reposign.dev/v1alpha1',
    kind: 'RepositorySigner',
    metadata: {
      name: 'feed',
      namespace: 'nuget',
      generation: overrides.generation ?? 1,
      annotations: overrides.annotations,
      finalizers: overrides.finalizers ?? [FINALIZER],
      deletionTimestamp: overrides.deletionTimestamp,
    },
    spec: { mode: 'SelfSigned', selfSigned: {}, secretName: 'feed-signing', certificate: { subject: { commonName: 'Feed' }, duration: '2160h' }, ...overrides.spec },
    status: overrides.status,
  };
}

/** A 90-day RSA-4096 certificate from {@link T0}, with overrides. */
export function certificate(overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    fingerprintSha256: fingerprint('a'),
    subject: 'CN=Feed',
    issuer: 'CN=Feed',
    serialNumber: '01',
    notBefore: at(0),
    notAfter: at(90 * DAY),
    subjectAttributes: { commonName: 'Feed' },
    keyAlgorithm: 'RSA',
    keySize: 4096,
    signatureAlgorithm: 'SHA256WithRSA',
    ...overrides,
  };
}

/** An Observed snapshot: valid material, ready provider, nothing published or configured, with overrides. */
export function observed(overrides: Partial<Observed> = {}): Observed {
  return {
    signer: signer(),
    material: { state: 'Valid', certificate: certificate() },
    provider: { ready: true, reason: 'Valid', message: 'The local engine generates keys' },
    publishedFingerprints: [],
    ownedSecrets: [],
    ...overrides,
  };
}

/** The signer after a decision's status write (merge patch: null removes a field). */
export function withDecision(s: RepositorySigner, decision: Decision): RepositorySigner {
  const status: Record<string, unknown> = { ...s.status, conditions: decision.conditions };
  for (const [key, value] of Object.entries(decision.statusPatch)) {
    if (value === null) delete status[key];
    else status[key] = value;
  }
  return { ...s, status };
}

/** The condition of a type in a decision, failing the test when absent. */
export function conditionOf(decision: Decision, type: ConditionType): Condition {
  const found = decision.conditions.find((c) => c.type === type);
  if (!found) throw new Error(`no ${type} condition`);
  return found;
}

/** The kinds of a decision's actions other than events. */
export function writeKinds(decision: Decision): string[] {
  return decision.actions.filter((a) => a.kind !== 'EmitEvent').map((a) => a.kind);
}
