// SPDX-License-Identifier: MIT
// Certificates for keys that live in a KMS or HSM and come without one (AWS KMS, GCP KMS, PKCS#11):
// a chain read from a configured PEM file and matched against the remote public key, or a
// certificate self-issued by having the remote key sign the TBSCertificate.

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { isReposignError, ReposignError } from '../errors.js';
import type { HashAlgorithmName } from '../hash-algorithm.js';
import { orderChain } from '../providers/local/local-rsa-key.js';
import type { SignInput, SignOptions } from '../signing-key.js';
import { ProviderSettingError } from '../providers/signing-provider.js';
import { MINIMUM_RSA_KEY_BITS } from './signing-certificate-policy.js';
import { certificatesFromPem } from './certificate.js';
import { issueCodeSigningCertificate } from './self-signed-certificate.js';

/** What self-issuing needs of a remote key: its `sign` (a SigningKey's, or a backend's raw call). */
export interface RemoteSigner {
  sign(input: SignInput, hash: HashAlgorithmName, options: SignOptions): Promise<Uint8Array>;
}

/** How a key-only backend gets its certificate chain. */
export interface KeyOnlyCertificateOptions {
  /** The remote key's public key, DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The remote key, named in messages: `AWS KMS key alias/nuget`. */
  readonly keyName: string;
  /** A PEM file with the certificate (and its chain); empty self-issues one. */
  readonly certificatePath: string;
  /** The setting that names `certificatePath`, for messages: `Signing:AwsKms:CertificatePath`. */
  readonly certificateSetting: string;
  /** Subject of a self-issued certificate, e.g. `CN=reposign repository signing (AwsKms)`. */
  readonly subject: string;
  /** Signature hash of a self-issued certificate; default SHA256. */
  readonly hashAlgorithm?: HashAlgorithmName;
  /** Signs the self-issued certificate. */
  readonly signer: RemoteSigner;
  readonly signal: AbortSignal;
}

/** Start of validity of self-issued certificates: fixed, so that every replica and restart issues the same bytes. */
export const SELF_ISSUED_NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
/** RFC 5280 §4.1.2.5: 99991231235959Z means no well-defined expiration; the key's life is the vault's. */
export const SELF_ISSUED_NOT_AFTER = new Date('9999-12-31T23:59:59Z');

/** KEY_UNSUPPORTED for a remote key of another type than RSA (`ec`, `ed25519`), naming `keyName`. */
export function unsupportedKeyType(keyName: string, keyType: string): ReposignError {
  return new ReposignError('KEY_UNSUPPORTED', `${keyName} is an ${keyType.toUpperCase()} key; NuGet signatures need an RSA key of at least ${MINIMUM_RSA_KEY_BITS} bits (NU3014).`, {
    nugetCode: 'NU3014',
  });
}

/**
 * The public key of a remote key, checked for what NuGet accepts: RSA with at least 2048 bits.
 * Throws KEY_UNSUPPORTED naming `keyName` otherwise (an EC key, a 1024-bit key).
 */
export function remoteRsaPublicKey(spki: Uint8Array, keyName: string): KeyObject {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new ReposignError('KEY_LOAD_FAILED', `The public key of ${keyName} could not be read.`, { cause: error });
  }
  if (publicKey.asymmetricKeyType !== 'rsa') throw unsupportedKeyType(keyName, String(publicKey.asymmetricKeyType));
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MINIMUM_RSA_KEY_BITS) {
    throw new ReposignError('KEY_UNSUPPORTED', `${keyName} is an RSA key of ${bits} bits; NuGet needs at least ${MINIMUM_RSA_KEY_BITS} (NU3014).`, { nugetCode: 'NU3014' });
  }
  return publicKey;
}

/** Lowercase hex SHA-256 of a public key's DER SubjectPublicKeyInfo: the revision of a key that does not version. */
export function publicKeyDigest(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('hex');
}

/**
 * Reads a PEM certificate chain file and orders it from the certificate of `publicKey` up through
 * its issuers. Throws KEY_NOT_FOUND / KEY_LOAD_FAILED (a {@link ProviderSettingError} on
 * `setting`) when the file cannot be read, CERTIFICATE_INVALID when it holds no certificate, and
 * CERTIFICATE_MISMATCH when no certificate in it belongs to the remote key.
 */
export async function loadCertificateChainFile(path: string, setting: string, publicKey: KeyObject, keyName: string): Promise<Uint8Array[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProviderSettingError(code === 'ENOENT' ? 'KEY_NOT_FOUND' : 'KEY_LOAD_FAILED', setting, `${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}`, {
      cause: error,
    });
  }
  let certificates: Uint8Array[];
  try {
    certificates = certificatesFromPem(text);
  } catch (error) {
    throw new ProviderSettingError('CERTIFICATE_INVALID', setting, `${path} holds a certificate that cannot be parsed`, { cause: error });
  }
  if (certificates.length === 0) throw new ProviderSettingError('CERTIFICATE_INVALID', setting, `${path} holds no PEM CERTIFICATE block`);
  try {
    return orderChain(publicKey, certificates);
  } catch (error) {
    if (!isReposignError(error, 'CERTIFICATE_MISMATCH')) throw error;
    throw new ProviderSettingError(
      'CERTIFICATE_MISMATCH',
      setting,
      `no certificate in ${path} belongs to ${keyName}: the certificate's public key does not match the remote key`,
      { cause: error },
    );
  }
}

/**
 * Self-issues a code-signing certificate for the remote key: the TBSCertificate is built here and
 * signed by the key in its vault (one remote call). The serial and validity are derived from the
 * key and subject, and PKCS#1 v1.5 signatures are deterministic, so the same key and subject give
 * the same certificate on every replica and restart. Returns the DER certificate.
 */
export async function remoteIssuedCertificate(options: Omit<KeyOnlyCertificateOptions, 'certificatePath' | 'certificateSetting' | 'keyName'>): Promise<Uint8Array> {
  const serial = createHash('sha256').update(options.spki).update(options.subject).digest().subarray(0, 16);
  return issueCodeSigningCertificate(
    { subject: options.subject, hashAlgorithm: options.hashAlgorithm, notBefore: SELF_ISSUED_NOT_BEFORE, notAfter: SELF_ISSUED_NOT_AFTER, serial },
    options.spki,
    (tbs, hash) => options.signer.sign({ data: tbs }, hash, { signal: options.signal }),
  );
}

/**
 * The certificate chain of a key-only backend, leaf first: from `certificatePath` when set (and
 * matched against the remote key), else self-issued through the remote key. Also checks the key
 * (RSA ≥ 2048: KEY_UNSUPPORTED) before anything is signed with it.
 */
export async function keyOnlyCertificateChain(options: KeyOnlyCertificateOptions): Promise<Uint8Array[]> {
  const publicKey = remoteRsaPublicKey(options.spki, options.keyName);
  if (options.certificatePath !== '') return loadCertificateChainFile(options.certificatePath, options.certificateSetting, publicKey, options.keyName);
  return [await remoteIssuedCertificate(options)];
}
