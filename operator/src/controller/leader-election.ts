// SPDX-License-Identifier: MIT
// Lease-based leader election after client-go's leaderelection package: a replica leads while it
// renews a coordination.k8s.io Lease; the resourceVersion precondition makes two replicas' writes
// conflict, so at most one holds it. Expiry is judged by the time this replica last saw the lease
// change (its own clock), never by the holder's timestamps, so clock skew cannot steal a lease.

import { sleep, type Clock } from './clock.js';
import type { KubeClient } from '../kube/kube-client.js';
import { isAlreadyExists, isConflict } from '../kube/kube-api-error.js';
import type { KubeObject } from '../kube/kube-object.js';
import { LEASES } from '../kube/resources.js';
import type { Logger } from '../observability/logger.js';

/** The Lease fields leader election reads and writes. */
interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

interface Lease extends KubeObject {
  readonly spec?: LeaseSpec;
}

/** Where the lease is and how long it lasts. client-go's defaults are 15 s, 10 s and 2 s. */
export interface LeaderElectionOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity (the pod name). */
  readonly identity: string;
  readonly leaseDurationMs: number;
  /** A leader that cannot renew for this long steps down. */
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/** Called when this replica starts leading; `leading` aborts when it stops. */
export type LeadingCallback = (leading: AbortSignal) => void;

/** Microsecond-precision RFC 3339 time, as Lease's MicroTime fields are written. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** One replica's side of the election. */
export class LeaderElector {
  private observedRecord: string | undefined;
  private observedAt = 0;
  private leading = false;

  constructor(private readonly options: LeaderElectionOptions) {}

  /** True while this replica holds the lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until `signal` aborts: acquires the lease, calls `onLeading` with a signal that aborts
   * when leadership is lost (renewals failing past the renew deadline), and campaigns again. On
   * abort a leader releases the lease so another replica takes over at once.
   */
  async run(signal: AbortSignal, onLeading: LeadingCallback): Promise<void> {
    const { clock, retryPeriodMs, renewDeadlineMs, log } = this.options;
    while (!signal.aborted) {
      if (!(await this.tryAcquireOrRenew())) {
        await sleep(clock, retryPeriodMs, signal);
        continue;
      }
      this.leading = true;
      log.info('became leader', { lease: `${this.options.namespace}/${this.options.name}`, identity: this.options.identity });
      const leadership = new AbortController();
      onLeading(leadership.signal);
      let lastRenewal = clock.now();
      while (!signal.aborted) {
        await sleep(clock, retryPeriodMs, signal);
        if (signal.aborted) break;
        if (await this.tryAcquireOrRenew()) {
          lastRenewal = clock.now();
        } else if (clock.now() - lastRenewal >= renewDeadlineMs) {
          break;
        }
      }
      this.leading = false;
      leadership.abort();
      if (signal.aborted) {
        await this.release();
      } else {
        log.warn('lost leadership; stopped acting', { lease: `${this.options.namespace}/${this.options.name}` });
      }
    }
  }

  /** One attempt: true when this replica holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, clock, namespace, name, identity, leaseDurationMs } = this.options;
    const now = clock.now();
    const spec: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      const lease = await client.get<Lease>(LEASES, namespace, name);
      if (lease === undefined) {
        await client.create<Lease>(LEASES, { metadata: { namespace, name }, spec });
        this.observe(spec, now);
        return true;
      }
      const current = lease.spec ?? {};
      this.observe(current, now);
      const heldByOther = current.holderIdentity !== undefined && current.holderIdentity !== '' && current.holderIdentity !== identity;
      const durationMs = (current.leaseDurationSeconds ?? 0) * 1000;
      if (heldByOther && this.observedAt + durationMs > now) return false;
      const next: LeaseSpec =
        current.holderIdentity === identity
          ? { ...current, renewTime: spec.renewTime, leaseDurationSeconds: spec.leaseDurationSeconds }
          : { ...spec, leaseTransitions: (current.leaseTransitions ?? 0) + 1 };
      await client.replace<Lease>(LEASES, { ...lease, spec: next });
      this.observe(next, now);
      return true;
    } catch (error) {
      if (!isConflict(error) && !isAlreadyExists(error)) this.options.log.warn('lease update failed', { err: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  /** Records the lease as seen now when it differs from what was seen before. */
  private observe(spec: LeaseSpec, now: number): void {
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now;
    }
  }

  /** Gives the lease up (holder cleared, 1 s duration) so another replica need not wait for expiry. */
  private async release(): Promise<void> {
    const { client, namespace, name, identity, log } = this.options;
    try {
      const lease = await client.get<Lease>(LEASES, namespace, name);
      if (lease?.spec?.holderIdentity !== identity) return;
      await client.replace<Lease>(LEASES, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } });
      log.info('released leadership', { lease: `${namespace}/${name}` });
    } catch (error) {
      log.warn('lease release failed', { err: error instanceof Error ? error.message : String(error) });
    }
  }
}
