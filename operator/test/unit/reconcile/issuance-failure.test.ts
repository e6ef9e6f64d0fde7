// SPDX-License-Identifier: MIT
// Recording a failed issuance.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { recordIssuanceFailure } from '../../../src/reconcile/issuance-failure.js';
import { at, HOUR, signer, T0 } from '../../helpers/signers.js';

test('a failure counts the attempt, records time and generation, and waits out the back-off', () => {
  const third = signer({ generation: 4, status: { failedIssuanceAttempts: 2, lastFailureTime: at(-HOUR) } });
  const d = recordIssuanceFailure(third, 'provider unreachable', T0);
  assert.deepEqual(d.statusPatch, { lastFailureTime: at(0), failedIssuanceAttempts: 3, lastFailureGeneration: 4 });
  assert.equal(d.requeueAfter, 4 * HOUR);
  const issuing = d.conditions.find((c) => c.type === 'Issuing');
  assert.deepEqual([issuing?.status, issuing?.reason, issuing?.observedGeneration], ['False', 'Failed', 4]);
  assert.match(issuing?.message ?? '', /attempt 3\): provider unreachable; no new attempt for 4h unless/);
  assert.deepEqual(d.actions.map((a) => a.kind === 'EmitEvent' && [a.type, a.reason]), [['Warning', 'Failed']]);
});
