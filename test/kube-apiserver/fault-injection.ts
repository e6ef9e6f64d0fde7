// SPDX-License-Identifier: MIT
// Test-controlled failures and delays for requests matching a predicate.

import type { RequestInfo } from './request-info.js';
import { failureForCode, type ApiError } from './status-error.js';

/** What a predicate sees of a request. */
export interface RequestView {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Set for resource requests. */
  info?: RequestInfo;
}

/** A failure to answer instead of serving the request. */
export interface FailureRule {
  /** Which requests fail; all of them when omitted. */
  match?: (request: RequestView) => boolean;
  /** HTTP code of the Status answered (409, 500, 503, 429, …). */
  code: number;
  message?: string;
  /** How many matching requests fail; 1 when omitted, Infinity for all. */
  times?: number;
}

/** A delay before matching requests are served. */
export interface DelayRule {
  match?: (request: RequestView) => boolean;
  ms: number;
  times?: number;
}

interface Armed<T> {
  rule: T;
  left: number;
}

/** Holds armed failure and delay rules; each match uses up one of its `times`. */
export class FaultInjector {
  private failures: Armed<FailureRule>[] = [];
  private delays: Armed<DelayRule>[] = [];

  /** Arms a failure rule. */
  fail(rule: FailureRule): void {
    this.failures.push({ rule, left: rule.times ?? 1 });
  }

  /** Arms a delay rule. */
  delay(rule: DelayRule): void {
    this.delays.push({ rule, left: rule.times ?? 1 });
  }

  /** Disarms every rule. */
  reset(): void {
    this.failures = [];
    this.delays = [];
  }

  /** The failure for this request, if a rule matches (consuming one use). */
  failureFor(request: RequestView): ApiError | undefined {
    const armed = this.take(this.failures, request);
    return armed === undefined ? undefined : failureForCode(armed.code, armed.message);
  }

  /** The delay for this request in ms (0 when none matches). */
  delayFor(request: RequestView): number {
    return this.take(this.delays, request)?.ms ?? 0;
  }

  private take<T extends { match?: (r: RequestView) => boolean }>(list: Armed<T>[], request: RequestView): T | undefined {
    const armed = list.find((a) => a.left > 0 && (a.rule.match?.(request) ?? true));
    if (armed === undefined) return undefined;
    armed.left--;
    return armed.rule;
  }
}
