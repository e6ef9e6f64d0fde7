// SPDX-License-Identifier: MIT
// Time values of the decision core: milliseconds since the epoch in, RFC 3339 whole seconds out,
// and the Go duration strings of the spec.

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1_000 };

/** Parses a duration the CRD's pattern admits (`8760h`, `1h30m`, `1.5h`) into milliseconds. Throws on anything else. */
export function parseDuration(text: string): number {
  if (!/^([0-9]+(\.[0-9]+)?(s|m|h))+$/.test(text)) throw new Error(`Not a duration: '${text}'.`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(s|m|h)/g)) total += Number(amount) * UNIT_MS[unit];
  return total;
}

/** Rounds down to a whole second. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** Formats a time as status stores it: RFC 3339, UTC, whole seconds (`2026-09-01T09:00:05Z`). */
export function formatTimestamp(ms: number): string {
  return new Date(floorToSecond(ms)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Parses an RFC 3339 timestamp into milliseconds. Throws on an invalid one. */
export function parseTimestamp(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`Not a timestamp: '${text}'.`);
  return ms;
}

/** A duration for messages: `32h`, `1h5m`, `45s`. */
export function describeDuration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('') || '0s';
}
