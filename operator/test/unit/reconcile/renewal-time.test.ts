// SPDX-License-Identifier: MIT
// cert-manager's renewal-time rule: table cases and fast-check properties.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { renewBeforeFor, renewalTime, type RenewalPolicy } from '../../../src/reconcile/renewal-time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NB = Date.parse('2026-01-01T00:00:00Z');

describe('renewalTime (table)', () => {
  const cases: [string, number, RenewalPolicy, string][] = [
    ['default: a third of the lifetime before notAfter', 90 * DAY, {}, '2026-03-02T00:00:00Z'],
    ['renewBefore', 90 * DAY, { renewBefore: 30 * DAY }, '2026-03-02T00:00:00Z'],
    ['renewBefore not shorter than the lifetime falls back to a third', 3 * HOUR, { renewBefore: 3 * HOUR }, '2026-01-01T02:00:00Z'],
    ['renewBefore zero falls back to a third', 3 * HOUR, { renewBefore: 0 }, '2026-01-01T02:00:00Z'],
    ['percentage', 100 * DAY, { renewBeforePercentage: 25 }, '2026-03-17T00:00:00Z'],
    ['percentage 100 falls back to a third', 3 * HOUR, { renewBeforePercentage: 100 }, '2026-01-01T02:00:00Z'],
    ['renewBefore wins over a percentage', 100 * DAY, { renewBefore: DAY, renewBeforePercentage: 50 }, '2026-04-10T00:00:00Z'],
    ['truncated to the second', 10_000, {}, '2026-01-01T00:00:06Z'],
    ['a one-second certificate renews at notBefore', 1000, {}, '2026-01-01T00:00:00Z'],
    ['a certificate with notAfter before notBefore is due at once', -DAY, {}, '2026-01-01T00:00:00Z'],
  ];
  for (const [name, lifetime, policy, expected] of cases) {
    test(name, () => assert.equal(new Date(renewalTime(NB, NB + lifetime, policy)).toISOString().replace('.000Z', 'Z'), expected));
  }

  test('renewBeforeFor uses the actual lifetime, not the requested duration', () => {
    assert.equal(renewBeforeFor(30 * DAY, { renewBefore: 60 * DAY }), 10 * DAY);
  });
});

// X.509 validity has whole seconds; lifetimes from 1 s to 20 years.
const seconds = (min: number, max: number) => fc.integer({ min, max }).map((s) => s * 1000);
const validity = fc.tuple(seconds(1_000_000_000, 4_000_000_000), seconds(1, 20 * 365 * 24 * 3600)).map(([nb, lifetime]) => ({ nb, na: nb + lifetime }));
/** A renewBefore strictly inside (0, lifetime), where cert-manager's rule honours it; `f` in [0, 1]. */
const inside = (lifetime: number, f: number) => Math.floor(f * (lifetime - 2)) + 1;
const policy: fc.Arbitrary<RenewalPolicy> = fc.record(
  { renewBefore: fc.option(fc.integer({ min: -HOUR, max: 30 * 365 * DAY }), { nil: undefined }), renewBeforePercentage: fc.option(fc.integer({ min: -5, max: 105 }), { nil: undefined }) },
  { requiredKeys: [] },
);

describe('renewalTime (properties)', () => {
  test('is within [notBefore, notAfter] and a whole second', () => {
    fc.assert(
      fc.property(validity, policy, ({ nb, na }, p) => {
        const rt = renewalTime(nb, na, p);
        return rt >= nb && rt <= na && rt % 1000 === 0;
      }),
    );
  });

  test('a longer renewBefore (within the lifetime) never renews later', () => {
    fc.assert(
      fc.property(validity, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), ({ nb, na }, a, b) => {
        const [short, long] = [Math.min(a, b), Math.max(a, b)].map((f) => inside(na - nb, f));
        return renewalTime(nb, na, { renewBefore: long }) <= renewalTime(nb, na, { renewBefore: short });
      }),
    );
  });

  test('a larger percentage never renews later', () => {
    fc.assert(
      fc.property(validity, fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 99 }), ({ nb, na }, a, b) => {
        return renewalTime(nb, na, { renewBeforePercentage: Math.max(a, b) }) <= renewalTime(nb, na, { renewBeforePercentage: Math.min(a, b) });
      }),
    );
  });

  test('is at most one second before notAfter minus renewBefore, and never after it', () => {
    fc.assert(
      fc.property(validity, fc.double({ min: 0, max: 1, noNaN: true }), ({ nb, na }, f) => {
        const before = inside(na - nb, f);
        const rt = renewalTime(nb, na, { renewBefore: before });
        const exact = na - before;
        return rt <= exact && exact - rt < 1000;
      }),
    );
  });

  test('with no policy, two thirds of the lifetime have passed', () => {
    fc.assert(
      fc.property(validity, ({ nb, na }) => {
        const rt = renewalTime(nb, na, {});
        return Math.abs(rt - (nb + ((na - nb) * 2) / 3)) < 1000;
      }),
    );
  });
});
