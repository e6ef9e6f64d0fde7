// SPDX-License-Identifier: MIT
// The Cloud KMS key algorithms NuGet signatures can use: RSASSA-PKCS1-v1_5 with the digest the
// algorithm fixes. PSS, raw PKCS#1 and elliptic-curve algorithms are refused with the reason.

import { ReposignError } from '../../errors.js';
import type { HashAlgorithmName } from '../../hash-algorithm.js';

/** The signing hash each usable algorithm fixes. */
const USABLE: Readonly<Record<string, HashAlgorithmName>> = {
  RSA_SIGN_PKCS1_2048_SHA256: 'SHA256',
  RSA_SIGN_PKCS1_3072_SHA256: 'SHA256',
  RSA_SIGN_PKCS1_4096_SHA256: 'SHA256',
  RSA_SIGN_PKCS1_4096_SHA512: 'SHA512',
};

/** The `digest` field of an AsymmetricSignRequest for each hash. */
export const DIGEST_FIELDS = { SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' } as const satisfies Record<HashAlgorithmName, string>;

/**
 * The hash `algorithm` signs with. Throws KEY_UNSUPPORTED naming `keyName` for an algorithm NuGet
 * cannot use: an EC key (NU3014), RSASSA-PSS, raw PKCS#1, or anything that does not sign.
 */
export function algorithmHash(algorithm: string, keyName: string): HashAlgorithmName {
  const hash = USABLE[algorithm];
  if (hash !== undefined) return hash;
  const usable = Object.keys(USABLE).join(', ');
  const reason = algorithm.startsWith('EC_SIGN_')
    ? 'it is an elliptic-curve key; NuGet signatures need an RSA key (NU3014)'
    : algorithm.startsWith('RSA_SIGN_PSS_')
      ? 'it signs with RSASSA-PSS; NuGet signatures use RSASSA-PKCS1-v1_5'
      : `reposign cannot sign NuGet packages with it`;
  throw new ReposignError('KEY_UNSUPPORTED', `${keyName} has algorithm ${algorithm}: ${reason}. Use a key version with one of ${usable}.`, { nugetCode: algorithm.startsWith('EC_') ? 'NU3014' : undefined });
}
