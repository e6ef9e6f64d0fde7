// SPDX-License-Identifier: MIT
// A SigningKey whose private key stays in Azure Key Vault: each signature is one keys `sign` call
// (RS256/384/512 over a digest) through the key's RemoteCaller, so non-exportable and HSM-backed
// keys work and a vault that is away fails fast once the circuit opens.

import type { CryptographyClient } from '@azure/keyvault-keys';

import type { HashAlgorithmName } from '../../hash-algorithm.js';
import type { RemoteCaller } from '../remote/resilience.js';
import { signInputDigest, type SigningKey, type SignInput, type SignOptions } from '../../signing-key.js';
import { vaultRequest } from './vault-request.js';

/** The Key Vault algorithm (RSASSA-PKCS1-v1_5) for each signing hash. */
const ALGORITHMS = { SHA256: 'RS256', SHA384: 'RS384', SHA512: 'RS512' } as const satisfies Record<HashAlgorithmName, string>;

/** What an opened Key Vault key is made of. */
export interface AzureKeyVaultKeyParts {
  readonly kind: string;
  /** DER, the Key Vault certificate first. */
  readonly chain: readonly Uint8Array[];
  /** Signs with the certificate's key; created once per opened key. */
  readonly cryptography: CryptographyClient;
  /** The key id, for messages. */
  readonly keyId: string;
  /** The key's caller, shared with its revision checks. */
  readonly caller: RemoteCaller;
  /** The certificate version now current for the configured name (or the pinned version). */
  readonly revision: () => Promise<string>;
}

/** Wraps the parts of an opened Key Vault certificate as a SigningKey. */
export function azureKeyVaultKey(parts: AzureKeyVaultKeyParts): SigningKey {
  return {
    kind: parts.kind,
    certificateChain: () => parts.chain,
    async sign(input: SignInput, hash: HashAlgorithmName, options: SignOptions): Promise<Uint8Array> {
      const digest = signInputDigest(input, hash);
      const signed = await vaultRequest(
        parts.caller,
        'Sign',
        `signing with key ${parts.keyId}`,
        (signal) => parts.cryptography.sign(ALGORITHMS[hash], digest, { abortSignal: signal }),
        options.signal,
      );
      return signed.result;
    },
    revision: parts.revision,
    // The SDK clients hold no sessions; nothing to release.
    close: async () => undefined,
  };
}
