// SPDX-License-Identifier: MIT
// Reads an RFC 3161 TimeStampResp and hands back the token bytes exactly as the TSA sent them.

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { invalidTimestamp } from './errors.js';

const STATUS_NAMES: readonly string[] = [
  'granted',
  'grantedWithMods',
  'rejection',
  'waiting',
  'revocationWarning',
  'revocationNotification',
];

// PKIFailureInfo bit numbers (RFC 3161 §2.4.2).
const FAILURE_BITS: ReadonlyArray<readonly [number, string]> = [
  [0, 'badAlg'],
  [2, 'badRequest'],
  [5, 'badDataFormat'],
  [14, 'timeNotAvailable'],
  [15, 'unacceptedPolicy'],
  [16, 'unacceptedExtension'],
  [17, 'addInfoNotAvailable'],
  [25, 'systemFailure'],
];

/**
 * Parses a TimeStampResp body, requires status granted (0) or grantedWithMods (1), and returns the
 * timeStampToken's own encoding, untouched so that its signature and certificate hashes still hold.
 * Throws TIMESTAMP_INVALID when the body is not a TimeStampResp, the TSA refused, or no token came.
 */
export function readTimestampResponse(body: Uint8Array): Uint8Array {
  const parsed = asn1js.fromBER(body);
  if (parsed.offset === -1 || parsed.offset !== body.byteLength) {
    throw invalidTimestamp(`The TSA reply is not a DER TimeStampResp (${body.byteLength} bytes).`);
  }
  let response: pkijs.TimeStampResp;
  try {
    response = new pkijs.TimeStampResp({ schema: parsed.result });
  } catch (error) {
    throw invalidTimestamp('The TSA reply does not follow the TimeStampResp schema.', undefined, error);
  }
  const status = response.status.status;
  if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods) {
    throw invalidTimestamp(`The TSA refused the request: ${describeStatus(response.status)}.`);
  }
  const token = parsed.result instanceof asn1js.Sequence ? parsed.result.valueBlock.value[1] : undefined;
  if (response.timeStampToken === undefined || token === undefined) {
    throw invalidTimestamp(`The TSA answered '${STATUS_NAMES[status]}' but sent no timestamp token.`);
  }
  return token.valueBeforeDecodeView.slice();
}

function describeStatus(info: pkijs.PKIStatusInfo): string {
  const parts = [`status ${info.status} (${STATUS_NAMES[info.status] ?? 'unknown'})`];
  const failures = info.failInfo === undefined ? [] : failureNames(info.failInfo.valueBlock.valueHexView);
  if (failures.length > 0) parts.push(`failInfo ${failures.join(', ')}`);
  const texts = (info.statusStrings ?? []).map((text) => text.valueBlock.value);
  if (texts.length > 0) parts.push(`"${texts.join(' ')}"`);
  return parts.join(', ');
}

function failureNames(bits: Uint8Array): string[] {
  return FAILURE_BITS.filter(([bit]) => ((bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0).map(([, name]) => name);
}
