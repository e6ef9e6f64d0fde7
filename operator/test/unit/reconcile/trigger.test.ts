// SPDX-License-Identifier: MIT
// The ordered trigger policies and the Issuing-gated trigger step.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { BackoffInput } from '../../../src/reconcile/backoff.js';
import { evaluateTriggers, nextIssuanceStep, type ExpectedCertificate, type TriggerInput } from '../../../src/reconcile/trigger.js';
import { certificate, DAY, HOUR, T0 } from '../../helpers/signers.js';

const expected: ExpectedCertificate = { subject: { commonName: 'Feed' }, keyAlgorithm: 'RSA', keySize: 4096, signatureAlgorithm: 'SHA256WithRSA' };
const fine: TriggerInput = { material: { state: 'Valid', certificate: certificate() }, expected, renewalTime: T0 + 60 * DAY, now: T0 + DAY };
const noFailure: BackoffInput = { generation: 1, rotationRequested: false };

describe('the trigger policies', () => {
  const cases: [string, Partial<TriggerInput>, string | undefined][] = [
    ['nothing to do', {}, undefined],
    ['material missing', { material: { state: 'Missing', detail: 'Secret feed-signing not found' } }, 'MaterialMissing'],
    ['material invalid', { material: { state: 'Invalid', detail: 'key does not match' } }, 'InvalidCertificate'],
    ['key size differs', { material: { state: 'Valid', certificate: certificate({ keySize: 2048 }) } }, 'SpecMismatch'],
    ['signature algorithm differs', { material: { state: 'Valid', certificate: certificate({ signatureAlgorithm: 'SHA512WithRSA' }) } }, 'SpecMismatch'],
    ['subject differs', { material: { state: 'Valid', certificate: certificate({ subjectAttributes: { commonName: 'Old' } }) } }, 'SpecMismatch'],
    ['organisations differ', { expected: { ...expected, subject: { commonName: 'Feed', organizations: ['A'] } } }, 'SpecMismatch'],
    ['organisations in another order match', { expected: { ...expected, subject: { commonName: 'Feed', organizations: ['B', 'A'] } }, material: { state: 'Valid', certificate: certificate({ subjectAttributes: { commonName: 'Feed', organizations: ['A', 'B'] } }) } }, undefined],
    ['no expectations (provider modes) skip the spec check', { expected: undefined, material: { state: 'Valid', certificate: certificate({ keySize: 2048 }) } }, undefined],
    ['provider version changed', { material: { state: 'Valid', certificate: certificate(), providerVersion: 'v1' }, providerVersion: 'v2' }, 'ProviderVersionChanged'],
    ['rotate request', { rotationRequest: '2026-09-02' }, 'RotationRequested'],
    ['renewal time reached', { now: T0 + 60 * DAY }, 'Renewing'],
    ['first hit wins: missing before rotate request and renewal', { material: { state: 'Missing', detail: 'x' }, rotationRequest: 'r', now: T0 + 80 * DAY }, 'MaterialMissing'],
    ['first hit wins: spec mismatch before provider version', { material: { state: 'Valid', certificate: certificate({ keySize: 3072 }), providerVersion: 'v1' }, providerVersion: 'v2' }, 'SpecMismatch'],
    ['first hit wins: rotate request before renewal', { rotationRequest: 'r', now: T0 + 80 * DAY }, 'RotationRequested'],
  ];
  for (const [name, change, reason] of cases) test(name, () => assert.equal(evaluateTriggers({ ...fine, ...change })?.reason, reason));
});

describe('the trigger step', () => {
  const due: TriggerInput = { ...fine, now: T0 + 61 * DAY };
  const failedRecently: BackoffInput = { lastFailureTime: new Date(T0 + 61 * DAY - HOUR / 2).toISOString(), failedIssuanceAttempts: 1, lastFailureGeneration: 1, generation: 1, rotationRequested: false };

  test('fires nothing while Issuing is True, whatever is due', () => {
    assert.deepEqual(nextIssuanceStep(true, { ...due, material: { state: 'Missing', detail: 'x' } }, noFailure), { kind: 'InProgress' });
  });
  test('starts on a hit without a failure', () => {
    assert.equal(nextIssuanceStep(false, due, noFailure).kind, 'Start');
  });
  test('backs off for the rest of the delay after a recent failure', () => {
    const step = nextIssuanceStep(false, due, failedRecently);
    assert.equal(step.kind, 'BackingOff');
    assert.equal(step.kind === 'BackingOff' && step.remaining, HOUR / 2);
  });
  test('is up to date without a hit, even after a failure', () => {
    assert.deepEqual(nextIssuanceStep(false, fine, failedRecently), { kind: 'UpToDate' });
  });
});
