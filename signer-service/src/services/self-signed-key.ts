// SPDX-License-Identifier: MIT
// SelfSigned mode: the certificate persisted as a password-protected PFX in storage, reused while
// it matches the configuration and is not near expiry, regenerated otherwise. A database lock
// decides, so replicas starting together generate one certificate between them.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ResolvedSecret, SigningConfig } from '../config/config.js';
import type { Database } from '../db/database.js';
import { ReposignError, isReposignError } from '@reposign/signing';
import { FeedError } from '../errors.js';
import { describeCertificate, exportPfx, generateSelfSignedCertificate, openPfxKey, type CertificateInfo, type SigningKey } from '@reposign/signing';

const DAY_MS = 24 * 60 * 60 * 1000;

const CERTIFICATE_SIGNATURE_OID: Readonly<Record<SigningConfig['selfSigned']['hashAlgorithm'], string>> = {
  SHA256: '1.2.840.113549.1.1.11',
  SHA384: '1.2.840.113549.1.1.12',
  SHA512: '1.2.840.113549.1.1.13',
};

/** An opened self-signed key and whether this call generated it (and why). */
export interface SelfSignedKey {
  readonly key: SigningKey;
  readonly certificate: CertificateInfo;
  /** Why a new certificate was generated; undefined when the persisted one was reused. */
  readonly generatedBecause: string | undefined;
}

const comparableName = (name: string): string => name.replace(/\s*,\s*/g, ',').toLowerCase();

/** Why `certificate` no longer fits `settings` at `now`; undefined when it can stay in use. */
export function selfSignedMismatch(certificate: CertificateInfo, settings: SigningConfig['selfSigned'], now: Date): string | undefined {
  if (comparableName(certificate.subject) !== comparableName(settings.subjectName)) return `the subject changed to '${settings.subjectName}'`;
  if (certificate.keyType !== 'rsa' || certificate.keyBits !== settings.keySize) return `the key size changed to ${settings.keySize}`;
  if (certificate.signatureAlgorithmOid !== CERTIFICATE_SIGNATURE_OID[settings.hashAlgorithm]) return `the hash algorithm changed to ${settings.hashAlgorithm}`;
  const validityDays = Math.round((certificate.notAfter.getTime() - certificate.notBefore.getTime()) / DAY_MS);
  if (validityDays !== settings.validityInDays) return `the validity changed to ${settings.validityInDays} days`;
  if (certificate.notAfter.getTime() - now.getTime() < settings.renewBeforeDays * DAY_MS) {
    return `it expires on ${certificate.notAfter.toISOString()}, within the renewal window of ${settings.renewBeforeDays} days`;
  }
  return undefined;
}

async function readExisting(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new FeedError('CONFIG_INVALID', `Signing:SelfSigned:CertificatePath: ${path} cannot be read (${error.code ?? error.message}).`, { cause: error });
  });
}

/** Opens the persisted PFX; undefined when it is not a readable PKCS#12 file (it is then replaced). */
async function openExisting(pfx: Buffer, path: string, password: ResolvedSecret): Promise<SigningKey | undefined> {
  try {
    return await openPfxKey({ pfx, password: password.value });
  } catch (error) {
    if (isReposignError(error, 'KEY_BAD_PASSWORD')) {
      // A changed password never silently replaces the feed's identity: the operator decides.
      throw new FeedError(
        'CONFIG_INVALID',
        `Signing:CertificatePasswordSecret: the certificate persisted at ${path} cannot be opened with the password from ${password.key}. Restore the previous password, or delete the file to generate a new certificate.`,
        { cause: error },
      );
    }
    return undefined;
  }
}

async function generate(settings: SigningConfig['selfSigned'], password: ResolvedSecret): Promise<Uint8Array> {
  try {
    const generated = await generateSelfSignedCertificate({
      subject: settings.subjectName,
      keyBits: settings.keySize,
      validityDays: settings.validityInDays,
      hashAlgorithm: settings.hashAlgorithm,
    });
    return exportPfx({ certificatePem: generated.certificatePem, privateKeyPem: generated.privateKeyPem, password: password.value });
  } catch (error) {
    if (isReposignError(error, 'INVALID_ARGUMENT')) throw new FeedError('CONFIG_INVALID', `Signing:SelfSigned:SubjectName: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Writes next to the target and renames, so a reader never sees half a file. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${randomUUID()}.partial`;
  try {
    await writeFile(partial, bytes, { mode: 0o600 });
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * Opens the SelfSigned certificate at `settings.certificatePath`, generating (and persisting) a new
 * one when the file is missing or unreadable, when it no longer matches the configuration, or when
 * it is within the renewal window. Runs under a database advisory lock on the path. Throws
 * CONFIG_INVALID when the persisted file cannot be opened with the configured password.
 */
export async function openSelfSignedKey(db: Database, signing: SigningConfig, now = new Date()): Promise<SelfSignedKey> {
  const settings = signing.selfSigned;
  const path = settings.certificatePath;
  return db.withAdvisoryLock(`reposign:self-signed:${path}`, async () => {
    const existing = await readExisting(path);
    let reason = 'no certificate was persisted yet';
    if (existing !== undefined) {
      const key = await openExisting(existing, path, signing.password);
      const leaf = key?.certificateChain()[0];
      if (key !== undefined && leaf !== undefined) {
        const certificate = describeCertificate(leaf);
        const mismatch = selfSignedMismatch(certificate, settings, now);
        if (mismatch === undefined) return { key, certificate, generatedBecause: undefined };
        await key.close();
        reason = mismatch;
      } else {
        reason = 'the persisted file is not a readable PFX';
      }
    }
    const pfx = await generate(settings, signing.password);
    await writeAtomically(path, pfx);
    const key = await openPfxKey({ pfx, password: signing.password.value });
    const leaf = key.certificateChain()[0];
    if (leaf === undefined) throw new ReposignError('CERTIFICATE_INVALID', 'The generated PFX holds no certificate.');
    return { key, certificate: describeCertificate(leaf), generatedBecause: reason };
  });
}
