// SPDX-License-Identifier: MIT
// The feed's one door into the signing engine: opens the configured key, reads packages and signs
// them, and reports signing and TSA latency.

import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { SigningConfig } from '../config/config.js';
import { ReposignError } from '../errors.js';
import {
  PackageArchive,
  createTimestamper,
  describeCertificate,
  generateSelfSignedCertificate,
  inspectPackage,
  openPemKey,
  openPfxKey,
  readNuspec,
  repositorySignPackage,
  type CertificateInfo,
  type PackageInspection,
  type PackageSignatureKind,
  type SigningKey,
  type Timestamper,
} from '../signing/index.js';

export type { CertificateInfo, PackageInspection, PackageSignatureKind };

/** Latency observers; the metrics module supplies them. */
export interface SigningObserver {
  timestampSeconds(seconds: number, ok: boolean): void;
}

/** A package as read before signing. */
export interface ReadPackage {
  readonly inspection: PackageInspection;
  /** The root .nuspec text. */
  readonly nuspecXml: string;
}

/** The feed's signer: one open key, used by every request. */
export interface FeedSigner {
  /** The signing (leaf) certificate. */
  readonly certificate: CertificateInfo;
  /** Validates the zip and reads the nuspec and the signatures. Throws ReposignError. */
  readPackage(path: string): Promise<ReadPackage>;
  /** Reads only the nuspec text (served by the flat container). */
  readNuspecXml(path: string): Promise<string>;
  /** Repository-signs `inputPath` into `outputPath`. Throws ReposignError; writes nothing on failure. */
  sign(inputPath: string, outputPath: string): Promise<{ before: PackageSignatureKind; after: PackageSignatureKind }>;
  close(): Promise<void>;
}

/**
 * Loads the self-signed certificate persisted at `path`, or generates it. Concurrent first starts
 * (replicas on shared storage) agree on one certificate: each writes its own file and tries to
 * hard-link it into place; only the first link succeeds and everyone reads the winner.
 */
async function selfSignedPem(settings: SigningConfig['selfSigned'], hash: SigningConfig['hashAlgorithm']): Promise<string> {
  const existing = await readFile(settings.certificatePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) return existing;
  const generated = await generateSelfSignedCertificate({
    subject: settings.subjectName,
    keyBits: settings.keySize,
    validityDays: settings.validityInDays,
    hashAlgorithm: hash,
  });
  await mkdir(dirname(settings.certificatePath), { recursive: true });
  const candidate = `${settings.certificatePath}.${randomUUID()}.new`;
  await writeFile(candidate, `${generated.certificatePem.trim()}\n${generated.privateKeyPem.trim()}\n`, { mode: 0o600 });
  try {
    await link(candidate, settings.certificatePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(candidate, { force: true });
  }
  return readFile(settings.certificatePath, 'utf8');
}

async function openKey(signing: SigningConfig): Promise<SigningKey> {
  if (signing.mode === 'SelfSigned') {
    const pem = await selfSignedPem(signing.selfSigned, signing.hashAlgorithm);
    return openPemKey({ certificatePem: pem, privateKeyPem: pem });
  }
  const stored = signing.storedCertificate;
  const password = stored.password === '' ? undefined : stored.password;
  if (['.pfx', '.p12'].includes(extname(stored.filePath).toLowerCase())) {
    return openPfxKey({ pfx: await readFile(stored.filePath), password });
  }
  const pem = await readFile(stored.filePath, 'utf8');
  const keyPem = stored.keyFilePath === '' ? pem : await readFile(stored.keyFilePath, 'utf8');
  return openPemKey({ certificatePem: pem, privateKeyPem: keyPem, password });
}

function observedTimestamper(inner: Timestamper, observer: SigningObserver): Timestamper {
  return {
    async timestamp(signatureValue) {
      const started = process.hrtime.bigint();
      let ok = false;
      try {
        const token = await inner.timestamp(signatureValue);
        ok = true;
        return token;
      } finally {
        observer.timestampSeconds(Number(process.hrtime.bigint() - started) / 1e9, ok);
      }
    },
  };
}

/**
 * Opens the configured key (generating the self-signed certificate on first start) and returns the
 * feed's signer. `serviceIndexUrl` must be https: it is written into every signature. Throws
 * ReposignError (KEY_*, CERTIFICATE_*, INVALID_ARGUMENT) when the key cannot be used.
 */
export async function openFeedSigner(signing: SigningConfig, serviceIndexUrl: string, observer: SigningObserver): Promise<FeedSigner> {
  const key = await openKey(signing);
  const leaf = key.certificateChain()[0];
  if (leaf === undefined) {
    await key.close();
    throw new ReposignError('CERTIFICATE_INVALID', 'The signing key has no certificate.');
  }
  const inner = createTimestamper({ urls: [signing.timestampServerUrl], hashAlgorithm: signing.hashAlgorithm });
  const timestamper = inner === undefined ? undefined : observedTimestamper(inner, observer);
  const readNuspecXml = async (path: string): Promise<string> => {
    const archive = await PackageArchive.open(path);
    try {
      return (await readNuspec(archive)).xml;
    } finally {
      await archive.close();
    }
  };
  return {
    certificate: describeCertificate(leaf),
    async readPackage(path) {
      const inspection = await inspectPackage(path);
      return { inspection, nuspecXml: await readNuspecXml(path) };
    },
    readNuspecXml,
    async sign(inputPath, outputPath) {
      const result = await repositorySignPackage(inputPath, outputPath, {
        key,
        serviceIndexUrl,
        hashAlgorithm: signing.hashAlgorithm,
        timestamper,
      });
      return { before: result.before, after: result.after };
    },
    close: () => key.close(),
  };
}
