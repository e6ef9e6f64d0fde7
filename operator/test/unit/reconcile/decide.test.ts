// SPDX-License-Identifier: MIT
// The decision core with a fake clock: per-mode passes, rotation, back-off, lifecycle and what
// each condition says.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Condition } from '../../../src/api/v1alpha1/conditions.js';
import { FINALIZER, ROTATE_ANNOTATION } from '../../../src/api/v1alpha1/names.js';
import type { RepositorySignerStatus } from '../../../src/api/v1alpha1/status.js';
import { decide, PROVIDER_RECHECK_MS } from '../../../src/reconcile/decide.js';
import { recordIssuanceFailure } from '../../../src/reconcile/issuance-failure.js';
import { providerNotImplemented, type Observed } from '../../../src/reconcile/observed.js';
import { at, certificate, conditionOf, DAY, fingerprint, HOUR, observed, signer, T0, withDecision, writeKinds } from '../../helpers/signers.js';

const A = fingerprint('a');
const healthy = { publishedFingerprints: [A], signerConfigFingerprint: A };
const activeStatus = { fingerprint: A, revision: 1, notAfter: at(90 * DAY) };
const issuingTrue = (reason: string): Condition => ({ type: 'Issuing', status: 'True', reason, message: 'm', observedGeneration: 1, lastTransitionTime: at(0) });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('decide: SelfSigned from nothing to Ready', () => {
  test('runs create → issue → publish → configure → Ready, one step per pass', () => {
    let s = signer();
    const pass = (o: Partial<Observed>, now: number) => {
      const d = decide(deepFreeze(observed({ signer: s, ...o })), now);
      s = withDecision(s, d);
      return d;
    };
    const missing = { material: { state: 'Missing', detail: 'Secret feed-signing not found' } } as const;

    const first = pass(missing, T0);
    assert.deepEqual([conditionOf(first, 'Issuing').status, conditionOf(first, 'Issuing').reason], ['True', 'MaterialMissing']);
    assert.deepEqual([conditionOf(first, 'Ready').status, conditionOf(first, 'Ready').reason], ['False', 'Issuing']);
    assert.deepEqual(writeKinds(first), [], 'the trigger only sets Issuing; the work starts on the next pass');

    const second = pass(missing, T0);
    const issue = second.actions.find((a) => a.kind === 'IssueCertificate');
    assert.deepEqual(issue, {
      kind: 'IssueCertificate',
      mode: 'SelfSigned',
      reason: 'MaterialMissing',
      revision: 1,
      newPrivateKey: true,
      secretName: 'feed-signing',
      request: { subject: { commonName: 'Feed' }, duration: '2160h', keySize: 4096, signatureAlgorithm: 'SHA256WithRSA' },
    });

    const third = pass({}, T0 + 1000);
    assert.equal(conditionOf(third, 'Issuing').reason, 'Issued');
    assert.deepEqual(writeKinds(third), ['PublishRecords']);
    assert.equal(conditionOf(third, 'Ready').reason, 'NotPublished');
    assert.deepEqual(
      { revision: third.statusPatch.revision, short: third.statusPatch.shortFingerprint, notAfter: third.statusPatch.notAfter, renewal: third.statusPatch.renewalTime },
      { revision: 1, short: 'aaaaaaaaaaaa', notAfter: at(90 * DAY), renewal: at(60 * DAY) },
    );

    const fourth = pass({ publishedFingerprints: [A] }, T0 + 2000);
    assert.deepEqual(writeKinds(fourth), ['WriteSignerConfig']);
    assert.equal(conditionOf(fourth, 'Ready').reason, 'SignerServiceNotSynced');

    const fifth = pass(healthy, T0 + 3000);
    assert.deepEqual(writeKinds(fifth), []);
    assert.deepEqual([conditionOf(fifth, 'Ready').status, conditionOf(fifth, 'Ready').message], ['True', `Certificate aaaaaaaaaaaa (revision 1) valid until ${at(90 * DAY)}; published; signer-service configured`]);
    assert.equal(fifth.requeueAfter, 60 * DAY - 3000, 'wakes up at the renewal time');
    assert.ok(fifth.actions.some((a) => a.kind === 'EmitEvent' && a.reason === 'Ready' && a.type === 'Normal'));

    const sixth = pass(healthy, T0 + 4000);
    assert.deepEqual(sixth.actions, [], 'a steady state emits nothing');
    assert.equal(conditionOf(sixth, 'Ready').lastTransitionTime, conditionOf(fifth, 'Ready').lastTransitionTime);
  });
});

describe('decide: rotation', () => {
  const ready = signer({ status: activeStatus });

  test('renewal time reached starts Issuing (Renewing) while Ready stays True', () => {
    const d = decide(observed({ signer: ready, ...healthy }), T0 + 60 * DAY);
    assert.equal(conditionOf(d, 'Issuing').reason, 'Renewing');
    assert.equal(conditionOf(d, 'Ready').status, 'True');
  });

  test('a new rotate annotation starts exactly one rotation and is echoed', () => {
    const requested = signer({ status: activeStatus, annotations: { [ROTATE_ANNOTATION]: 'now-1' } });
    const d = decide(observed({ signer: requested, ...healthy }), T0 + DAY);
    assert.equal(conditionOf(d, 'Issuing').reason, 'RotationRequested');
    assert.equal(d.statusPatch.lastHandledRotationRequest, 'now-1');
    const after = withDecision(requested, d);
    const issuing = decide(observed({ signer: after, ...healthy }), T0 + DAY);
    assert.equal(writeKinds(issuing).filter((k) => k === 'IssueCertificate').length, 1);
    const done = withDecision(after, issuing);
    const completed = decide(observed({ signer: done, ...healthy, material: { state: 'Valid', certificate: certificate({ fingerprintSha256: fingerprint('b'), notBefore: at(DAY), notAfter: at(91 * DAY) }) } }), T0 + DAY);
    assert.equal(conditionOf(completed, 'Issuing').reason, 'Issued');
    assert.equal(completed.statusPatch.revision, 2);
    const settled = decide(observed({ signer: withDecision(done, completed), ...healthy }), T0 + DAY);
    assert.notEqual(conditionOf(settled, 'Issuing').status, 'True');
  });

  test('rotationPolicy Never reuses the key unless the key no longer fits', () => {
    const never = signer({ spec: { certificate: { duration: '2160h', privateKey: { rotationPolicy: 'Never' } } }, status: { ...activeStatus, conditions: [issuingTrue('Renewing')] } });
    const reuse = decide(observed({ signer: never, ...healthy }), T0 + 60 * DAY);
    assert.equal(reuse.actions.some((a) => a.kind === 'IssueCertificate' && !a.newPrivateKey), true);
    const small = decide(observed({ signer: never, ...healthy, material: { state: 'Valid', certificate: certificate({ keySize: 2048 }) } }), T0 + 60 * DAY);
    assert.equal(small.actions.some((a) => a.kind === 'IssueCertificate' && a.newPrivateKey), true);
  });

  test('an issued certificate that is due again counts as a failure, so no re-issue loop', () => {
    const issuing = signer({ status: { ...activeStatus, conditions: [issuingTrue('SpecMismatch')] } });
    const wrong = certificate({ fingerprintSha256: fingerprint('c'), keySize: 2048 });
    const d = decide(observed({ signer: issuing, material: { state: 'Valid', certificate: wrong } }), T0 + DAY);
    assert.equal(conditionOf(d, 'Issuing').reason, 'Failed');
    assert.equal(d.statusPatch.failedIssuanceAttempts, 1);
    assert.equal(d.statusPatch.revision, 2);
    const next = decide(observed({ signer: withDecision(issuing, d), material: { state: 'Valid', certificate: wrong } }), T0 + DAY + 60_000);
    assert.equal(conditionOf(next, 'Issuing').reason, 'BackingOff');
    assert.equal(next.requeueAfter, HOUR - 60_000);
  });
  test('a failed issuance stays on Issuing until a certificate arrives, not hidden by the next pass', () => {
    const requested = signer({ status: activeStatus, annotations: { [ROTATE_ANNOTATION]: 'r1' } });
    const started = withDecision(requested, decide(observed({ signer: requested, ...healthy }), T0 + DAY));
    const failed = withDecision(started, recordIssuanceFailure(started, 'replace it in the vault', T0 + DAY));
    for (const later of [T0 + DAY + 1000, T0 + DAY + 2 * HOUR]) {
      const next = decide(observed({ signer: failed, ...healthy }), later);
      assert.deepEqual(conditionOf(next, 'Issuing'), failed.status?.conditions?.find((c) => c.type === 'Issuing'), 'kept as recorded, lastTransitionTime included');
      assert.equal(writeKinds(next).includes('IssueCertificate'), false);
      assert.equal(next.actions.some((a) => a.kind === 'EmitEvent'), false, 'no transition to announce');
    }
    const replaced = certificate({ fingerprintSha256: fingerprint('b'), notBefore: at(DAY), notAfter: at(200 * DAY) });
    const arrived = decide(observed({ signer: failed, ...healthy, material: { state: 'Valid', certificate: replaced } }), T0 + DAY + HOUR);
    assert.equal(arrived.statusPatch.lastFailureTime, null, 'the new certificate clears the failure');
    const settled = decide(observed({ signer: withDecision(failed, arrived), ...healthy, publishedFingerprints: [A, fingerprint('b')], signerConfigFingerprint: fingerprint('b'), material: { state: 'Valid', certificate: replaced } }), T0 + DAY + HOUR);
    assert.deepEqual([conditionOf(settled, 'Issuing').status, conditionOf(settled, 'Issuing').reason], ['False', 'Issued']);
  });
});

describe('decide: back-off', () => {
  const failed = { ...activeStatus, lastFailureTime: at(60 * DAY), failedIssuanceAttempts: 2, lastFailureGeneration: 1 };

  test('holds a due renewal for 2h after the second failure, and says so', () => {
    const d = decide(observed({ signer: signer({ status: failed }), ...healthy }), T0 + 60 * DAY + HOUR);
    assert.deepEqual([conditionOf(d, 'Issuing').status, conditionOf(d, 'Issuing').reason], ['False', 'BackingOff']);
    assert.equal(d.requeueAfter, HOUR);
    assert.ok(d.actions.some((a) => a.kind === 'EmitEvent' && a.type === 'Warning' && a.reason === 'BackingOff'));
  });

  test('a spec change or a new rotate request skips it', () => {
    const changed = decide(observed({ signer: signer({ status: failed, generation: 2 }), ...healthy }), T0 + 60 * DAY + HOUR);
    assert.equal(conditionOf(changed, 'Issuing').status, 'True');
    const rotate = decide(observed({ signer: signer({ status: failed, annotations: { [ROTATE_ANNOTATION]: 'x' } }), ...healthy }), T0 + 60 * DAY + HOUR);
    assert.equal(conditionOf(rotate, 'Issuing').reason, 'RotationRequested', 'the rotate request comes before the renewal time');
    assert.equal(rotate.statusPatch.lastHandledRotationRequest, 'x');
  });
});

describe('decide: StoredCertificate', () => {
  const stored = (status: RepositorySignerStatus = activeStatus, annotations?: Record<string, string>) =>
    signer({ spec: { mode: 'StoredCertificate', selfSigned: undefined, storedCertificate: {}, secretName: undefined, certificate: { renewBeforePercentage: 20 } }, status, annotations });

  const cases: [string, number, string, string][] = [
    ['valid', 10 * DAY, 'True', 'Ready'],
    ['within the warning window', 75 * DAY, 'False', 'Expiring'],
    ['expired', 90 * DAY, 'False', 'Expired'],
  ];
  for (const [name, now, status, reason] of cases) {
    test(`${name}: Ready ${status} ${reason}, and never an issuance`, () => {
      const d = decide(observed({ signer: stored(), ...healthy }), T0 + now);
      assert.deepEqual([conditionOf(d, 'Ready').status, conditionOf(d, 'Ready').reason], [status, reason]);
      assert.equal(conditionOf(d, 'Issuing').reason, 'UserManaged');
      assert.ok(!writeKinds(d).includes('IssueCertificate'));
    });
  }

  test('warns ahead: requeues at the warning time', () => {
    assert.equal(decide(observed({ signer: stored(), ...healthy }), T0 + 10 * DAY).requeueAfter, 62 * DAY);
  });

  test('a replaced Secret is adopted as the next revision and published, the old record kept', () => {
    const d = decide(observed({ signer: stored(), ...healthy, material: { state: 'Valid', certificate: certificate({ fingerprintSha256: fingerprint('b') }) } }), T0 + DAY);
    assert.equal(d.statusPatch.revision, 2);
    const publish = d.actions.find((a) => a.kind === 'PublishRecords');
    assert.deepEqual(publish?.kind === 'PublishRecords' && publish.records.map((r) => [r.fingerprintSha256, r.revision]), [[fingerprint('b'), 2]]);
    assert.equal(publish?.kind === 'PublishRecords' && publish.configMapName, 'feed-certificates');
  });

  test('a rotate request is acknowledged and explained', () => {
    const d = decide(observed({ signer: stored(activeStatus, { [ROTATE_ANNOTATION]: 'r1' }), ...healthy }), T0 + DAY);
    assert.equal(d.statusPatch.lastHandledRotationRequest, 'r1');
    assert.ok(d.actions.some((a) => a.kind === 'EmitEvent' && a.reason === 'RotationRequestIgnored'));
  });
});

describe('decide: provider modes', () => {
  const kms = (status: RepositorySignerStatus = activeStatus) => signer({ spec: { mode: 'AwsKms', selfSigned: undefined, awsKms: {}, secretName: undefined }, status });

  test('a provider the engine lacks says so, issues nothing and rechecks later', () => {
    const d = decide(observed({ signer: kms({}), material: { state: 'Missing', detail: 'no provider' }, provider: providerNotImplemented('AwsKms') }), T0);
    assert.deepEqual([conditionOf(d, 'ProviderReady').status, conditionOf(d, 'ProviderReady').reason], ['False', 'NotImplemented']);
    assert.match(conditionOf(d, 'ProviderReady').message, /no AwsKms provider/);
    assert.deepEqual([conditionOf(d, 'Ready').reason, conditionOf(d, 'Issuing').reason], ['ProviderNotReady', 'WaitingForProvider']);
    assert.deepEqual(writeKinds(d), []);
    assert.equal(d.requeueAfter, PROVIDER_RECHECK_MS);
  });

  test('a new provider version starts an issuance; a key size the spec did not ask for does not', () => {
    const material = { state: 'Valid', certificate: certificate({ keySize: 2048 }), providerVersion: 'v1' } as const;
    const same = decide(observed({ signer: kms(), ...healthy, material, provider: { ready: true, reason: 'Valid', message: 'ok', currentVersion: 'v1' } }), T0 + DAY);
    assert.equal(conditionOf(same, 'Issuing').status, 'False');
    assert.equal(same.statusPatch.providerVersion, 'v1');
    const newer = decide(observed({ signer: kms(), ...healthy, material, provider: { ready: true, reason: 'Valid', message: 'ok', currentVersion: 'v2' } }), T0 + DAY);
    assert.equal(conditionOf(newer, 'Issuing').reason, 'ProviderVersionChanged');
  });
});

describe('decide: lifecycle', () => {
  test('suspend reports Suspended, keeps the other conditions and acts on nothing', () => {
    const prior = withDecision(signer(), decide(observed({ ...healthy }), T0));
    const s = { ...prior, spec: { ...prior.spec, suspend: true }, metadata: { ...prior.metadata, generation: 2 } };
    const d = decide(observed({ signer: s, material: { state: 'Missing', detail: 'gone' } }), T0 + DAY);
    assert.deepEqual(d.actions, []);
    assert.deepEqual([conditionOf(d, 'Ready').status, conditionOf(d, 'Ready').reason, conditionOf(d, 'Ready').observedGeneration], ['Unknown', 'Suspended', 2]);
    assert.deepEqual(conditionOf(d, 'Published'), prior.status?.conditions?.find((c) => c.type === 'Published'));
    assert.deepEqual(d.statusPatch, { observedGeneration: 2 });
  });

  test('a missing finalizer is added first', () => {
    assert.equal(decide(observed({ signer: signer({ finalizers: [] }), ...healthy }), T0).actions[0].kind, 'AddFinalizer');
  });

  test('deletion removes owned Secrets, then the finalizer; records stay', () => {
    const owned = [
      { name: 'feed-signing', role: 'Key', revision: 2 },
      { name: 'feed-signer-config', role: 'SignerConfig' },
    ] as const;
    const d = decide(observed({ signer: signer({ deletionTimestamp: at(DAY) }), ownedSecrets: owned }), T0 + DAY);
    assert.deepEqual(d.actions, [{ kind: 'DeleteOwnedSecrets', names: ['feed-signing', 'feed-signer-config'] }, { kind: 'RemoveFinalizer' }]);
    const gone = decide(observed({ signer: signer({ deletionTimestamp: at(DAY), finalizers: [] }) }), T0 + DAY);
    assert.deepEqual(gone.actions, []);
    assert.ok(!signer().metadata.finalizers?.includes('x') && signer().metadata.finalizers?.includes(FINALIZER));
  });

  test('retired key Secrets beyond revisionHistoryLimit are pruned once Ready, newest kept', () => {
    const owned = [1, 3, 2].map((revision) => ({ name: `feed-signing-${revision}`, role: 'RetiredKey', revision }) as const);
    const d = decide(observed({ signer: signer({ status: activeStatus }), ...healthy, ownedSecrets: owned }), T0 + DAY);
    assert.deepEqual(d.actions.find((a) => a.kind === 'PruneKeySecrets'), { kind: 'PruneKeySecrets', names: ['feed-signing-2', 'feed-signing-1'] });
    const notReady = decide(observed({ signer: signer({ status: activeStatus }), ownedSecrets: owned }), T0 + DAY);
    assert.ok(!writeKinds(notReady).includes('PruneKeySecrets'));
  });

  test('never proposes a spec write and never mutates what it observed', () => {
    const frozen = deepFreeze(observed({ signer: signer({ status: activeStatus, annotations: { [ROTATE_ANNOTATION]: 'z' } }) }));
    const d = decide(frozen, T0 + 61 * DAY);
    assert.ok(!('spec' in d.statusPatch));
    assert.ok(!JSON.stringify(d.actions).includes('"spec"'));
  });
});
