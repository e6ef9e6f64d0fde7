// SPDX-License-Identifier: MIT
// Builds the RFC 3161 TimeStampReq NuGet sends (spec §7.1).

import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { hashAlgorithm, type HashAlgorithmName } from '../hash-algorithm.js';

/** One encoded request and what its reply must echo. */
export interface TimestampRequest {
  /** DER TimeStampReq, the POST body. */
  readonly der: Uint8Array;
  readonly hashAlgorithm: HashAlgorithmName;
  /** The nonce as a number, so that encodings with or without leading zero bytes compare equal. */
  readonly nonce: bigint;
}

/**
 * Encodes a TimeStampReq for `signatureValue`: version 1, messageImprint = H(signatureValue) with
 * NULL hash parameters (as .NET and OpenSSL write them), a fresh 32-byte positive nonce, certReq TRUE,
 * and neither reqPolicy nor extensions.
 */
export function createTimestampRequest(signatureValue: Uint8Array, hash: HashAlgorithmName): TimestampRequest {
  const info = hashAlgorithm(hash);
  const imprint = new Uint8Array(createHash(info.nodeName).update(signatureValue).digest());
  const nonceBytes = new Uint8Array(randomBytes(32));
  // Keep the first byte in 0x01..0x7F: the INTEGER is then positive and needs neither a leading zero
  // byte nor stripping, so every encoder writes exactly these 32 bytes (NuGet does the same).
  nonceBytes[0] = ((nonceBytes[0] ?? 0) & 0x7f) | 0x01;
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: info.oid, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonceBytes }),
    certReq: true,
  });
  return {
    der: new Uint8Array(request.toSchema().toBER()),
    hashAlgorithm: hash,
    nonce: BigInt(`0x${Buffer.from(nonceBytes).toString('hex')}`),
  };
}
