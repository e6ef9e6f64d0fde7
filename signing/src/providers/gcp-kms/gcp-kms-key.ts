// SPDX-License-Identifier: MIT
// Opens a Cloud KMS key version as a SigningKey: resolves the version (the configured one, or the
// newest enabled one), checks its algorithm and protection level, and signs digests through
// asymmetricSign with the CRC32C integrity checks on request and response.

import { createPublicKey } from 'node:crypto';

import type { KeyManagementServiceClient } from '@google-cloud/kms';

import { ReposignError } from '../../errors.js';
import type { HashAlgorithmName } from '../../hash-algorithm.js';
import { openRemoteSigningKey, type RemoteKeyOperations } from '../remote/remote-signing-key.js';
import type { RemoteCaller } from '../remote/resilience.js';
import type { SigningKey } from '../../signing-key.js';
import { algorithmHash, DIGEST_FIELDS } from './gcp-kms-algorithm.js';
import { checksumMatches, crc32c } from './crc32c.js';

/** Cloud KMS protection levels as the API names them. */
export type GcpProtectionLevel = 'HSM' | 'SOFTWARE';

/** What opening a key version needs. */
export interface GcpKmsKeyOptions {
  readonly kind: string;
  readonly client: KeyManagementServiceClient;
  readonly caller: RemoteCaller;
  /** `projects/…/locations/…/keyRings/…/cryptoKeys/…`. */
  readonly cryptoKey: string;
  /** A version number; empty follows the newest enabled version. */
  readonly version: string;
  readonly protectionLevel: GcpProtectionLevel;
  readonly certificatePath: string;
  readonly certificateSetting: string;
  readonly signal: AbortSignal;
}

/** The public key of a version, checked end to end. */
interface VersionKey {
  readonly spki: Uint8Array;
  readonly algorithm: string;
  readonly protectionLevel: string;
}

function integrityError(keyName: string, what: string): ReposignError {
  return new ReposignError('SIGNING_FAILED', `Cloud KMS integrity check failed for ${keyName}: ${what}; the response was corrupted in transit and was discarded`);
}

/** The newest ENABLED version of `cryptoKey` (asymmetric keys have no primary version in Cloud KMS). */
async function newestEnabledVersion(client: KeyManagementServiceClient, cryptoKey: string, signal: AbortSignal): Promise<string> {
  const [key] = await abortable(client.getCryptoKey({ name: cryptoKey }, { retry: null }), signal);
  if (key.primary?.name) return key.primary.name;
  const [versions] = await abortable(client.listCryptoKeyVersions({ parent: cryptoKey, filter: 'state=ENABLED' }, { retry: null, autoPaginate: true }), signal);
  const number = (name: string | null | undefined) => Number(/\/cryptoKeyVersions\/(\d+)$/.exec(name ?? '')?.[1] ?? -1);
  const newest = versions.filter((version) => String(version.state) === 'ENABLED' || Number(version.state) === 1).sort((a, b) => number(b.name) - number(a.name))[0];
  if (!newest?.name) throw new ReposignError('KEY_NOT_FOUND', `Cloud KMS key ${cryptoKey} has no enabled version.`);
  return newest.name;
}

/** Settles with `promise`, or rejects with the signal's reason once it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function versionKey(client: KeyManagementServiceClient, name: string, signal: AbortSignal): Promise<VersionKey> {
  const [publicKey] = await abortable(client.getPublicKey({ name }, { retry: null }), signal);
  const pem = publicKey.pem ?? '';
  if (publicKey.name !== name) throw integrityError(name, `the public key names ${String(publicKey.name)}`);
  if (!checksumMatches(publicKey.pemCrc32c, crc32c(Buffer.from(pem, 'utf8')))) throw integrityError(name, 'pemCrc32c does not match the PEM');
  const spki = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return { spki, algorithm: String(publicKey.algorithm), protectionLevel: String(publicKey.protectionLevel) };
}

/**
 * Opens the key version. Throws KEY_UNSUPPORTED for an algorithm NuGet cannot use or a protection
 * level other than the one required, KEY_NOT_FOUND for a missing key or version, and the errors of
 * the certificate chain (CERTIFICATE_MISMATCH, ...).
 */
export async function openGcpKmsKey(options: GcpKmsKeyOptions): Promise<SigningKey> {
  const { client, caller, cryptoKey, signal } = options;
  const resolve = (callSignal: AbortSignal) => (options.version === '' ? newestEnabledVersion(client, cryptoKey, callSignal) : Promise.resolve(`${cryptoKey}/cryptoKeyVersions/${options.version}`));
  const name = await caller.call('GetCryptoKey', resolve, signal);
  const keyName = `Cloud KMS key version ${name}`;
  const key = await caller.call('GetPublicKey', (callSignal) => versionKey(client, name, callSignal), signal);
  const hash = algorithmHash(key.algorithm, keyName);
  if (key.protectionLevel !== options.protectionLevel) {
    throw new ReposignError('KEY_UNSUPPORTED', `${keyName} has protection level ${key.protectionLevel}, but ${options.protectionLevel} is required; use an ${options.protectionLevel} key or set ProtectionLevel.`);
  }
  const operations: RemoteKeyOperations = {
    async signDigest(digest: Uint8Array, signHash: HashAlgorithmName, callSignal: AbortSignal): Promise<Uint8Array> {
      if (signHash !== hash) {
        throw new ReposignError('KEY_UNSUPPORTED', `${keyName} signs only ${hash} digests (its algorithm is ${key.algorithm}); set the signature hash algorithm to ${hash}.`);
      }
      const request = { name, digest: { [DIGEST_FIELDS[signHash]]: digest }, digestCrc32c: { value: String(crc32c(digest)) } };
      const [response] = await abortable(client.asymmetricSign(request, { retry: null }), callSignal);
      const signature = response.signature instanceof Uint8Array ? response.signature : Buffer.from(String(response.signature ?? ''), 'base64');
      if (response.verifiedDigestCrc32c !== true) throw integrityError(keyName, 'Cloud KMS did not verify the digest checksum');
      if (response.name !== name) throw integrityError(keyName, `the signature was made by ${String(response.name)}`);
      if (!checksumMatches(response.signatureCrc32c, crc32c(signature))) throw integrityError(keyName, 'signatureCrc32c does not match the signature');
      return Uint8Array.from(signature);
    },
    // The current public key of the configured version, or of the newest enabled one: the
    // revision changes when a new version is enabled, and a reload opens it.
    publicKey: async (callSignal: AbortSignal) => (await versionKey(client, await resolve(callSignal), callSignal)).spki,
    close: () => client.close(),
  };
  return openRemoteSigningKey({
    kind: options.kind,
    keyName,
    keyIdentity: options.version === '' ? cryptoKey : name,
    operations,
    caller,
    spki: key.spki,
    certificatePath: options.certificatePath,
    certificateSetting: options.certificateSetting,
    certificateHash: hash,
    signal,
  });
}
