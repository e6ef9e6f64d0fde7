// SPDX-License-Identifier: MIT
// The feed's one door into the signing engine: holds the current key (swapped on hot reload without
// disturbing signings in flight), reads packages, signs them, and reports TSA latency.

import type { SigningConfig } from '../config/config.js';
import { ReposignError } from '@reposign/signing';
import {
  PackageArchive,
  createTimestamper,
  findUnsafeEntryName,
  inspectArchive,
  readNuspec,
  repositorySignPackage,
  type CertificateInfo,
  type NuspecInfo,
  type PackageInspection,
  type PackageSignatureKind,
  type SigningKey,
  type Timestamper,
} from '@reposign/signing';
import type { OpenedSigningKey } from './signing-key-source.js';

export type { CertificateInfo, PackageInspection, PackageSignatureKind };

/** Latency observers; the metrics module supplies them. */
export interface SigningObserver {
  timestampSeconds(seconds: number, ok: boolean): void;
}

/** A package as read before signing. */
export interface ReadPackage {
  readonly inspection: PackageInspection;
  /** The root .nuspec, parsed. */
  readonly nuspec: NuspecInfo;
}

/** What one signing did, and with which certificate. */
export interface SignOutcome {
  readonly before: PackageSignatureKind;
  readonly after: PackageSignatureKind;
  /** The certificate that signed: the current one when the signing started. */
  readonly certificate: CertificateInfo;
  /** Size in bytes of the signed package written. */
  readonly sizeBytes: number;
}

/** The feed's signer: the current key, used by every request. */
export interface FeedSigner {
  /** The current signing (leaf) certificate. */
  readonly certificate: CertificateInfo;
  /** The signing settings the current key was opened with (hot reload may change them). */
  readonly signing: SigningConfig;
  /**
   * Opens a package file, or a package received whole into memory, and validates its zip structure;
   * the caller closes it. Throws ReposignError.
   */
  open(source: string | Uint8Array): Promise<PackageArchive>;
  /** Validates the zip and reads the nuspec and the signatures of a path or an opened package. Throws ReposignError. */
  readPackage(input: string | PackageArchive): Promise<ReadPackage>;
  /** Reads only the nuspec text (served by the flat container). */
  readNuspecXml(path: string): Promise<string>;
  /**
   * Repository-signs `input` (a path or an opened package) into `outputPath` with the current key;
   * an existing repository signature is replaced. Throws ReposignError; writes nothing on failure.
   */
  sign(input: string | PackageArchive, outputPath: string): Promise<SignOutcome>;
  /** Makes `opened` the current key. Signings in flight finish with the key they started with. */
  replace(opened: OpenedSigningKey, signing: SigningConfig): void;
  /** The current key's source revision (SigningKey.revision); empty when its provider reports none. */
  revision(): Promise<string>;
  close(): Promise<void>;
}

interface Slot {
  readonly key: SigningKey;
  readonly certificate: CertificateInfo;
  readonly signing: SigningConfig;
  readonly timestamper: Timestamper | undefined;
  users: number;
  retired: boolean;
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

async function readNuspecXml(path: string): Promise<string> {
  // Only a string leaves: the archive's memory can serve the next open.
  const archive = await PackageArchive.open(path, { reuseMemory: true });
  try {
    return (await readNuspec(archive)).xml;
  } finally {
    await archive.close();
  }
}

/**
 * Wraps an opened key as the feed's signer. `serviceIndexUrl` must be https: it is written into
 * every signature.
 */
export function createFeedSigner(opened: OpenedSigningKey, signing: SigningConfig, serviceIndexUrl: string, observer: SigningObserver): FeedSigner {
  const slotFor = (next: OpenedSigningKey, settings: SigningConfig): Slot => {
    const inner = createTimestamper({ urls: settings.timestampServerUrl.split(';'), hashAlgorithm: settings.hashAlgorithm });
    return {
      key: next.key,
      certificate: next.certificate,
      signing: settings,
      timestamper: inner === undefined ? undefined : observedTimestamper(inner, observer),
      users: 0,
      retired: false,
    };
  };
  const retire = async (slot: Slot): Promise<void> => {
    slot.retired = true;
    if (slot.users === 0) await slot.key.close();
  };
  let current = slotFor(opened, signing);
  return {
    get certificate() {
      return current.certificate;
    },
    get signing() {
      return current.signing;
    },
    open: (source) => (typeof source === 'string' ? PackageArchive.open(source) : PackageArchive.fromBytes(source)),
    async readPackage(input) {
      const archive = typeof input === 'string' ? await PackageArchive.open(input) : input;
      try {
        // The client guards its own extraction, but a feed serves other tools too: refuse zip slip.
        const unsafe = findUnsafeEntryName(archive.entries);
        if (unsafe) {
          throw new ReposignError('ARCHIVE_UNSAFE_ENTRY', `The package entry '${unsafe.name}' ${unsafe.reason}; a package must not write outside its folder.`);
        }
        return { inspection: await inspectArchive(archive), nuspec: await readNuspec(archive) };
      } finally {
        if (archive !== input) await archive.close();
      }
    },
    readNuspecXml,
    async sign(input, outputPath) {
      const slot = current;
      slot.users++;
      try {
        const result = await repositorySignPackage(input, outputPath, {
          key: slot.key,
          serviceIndexUrl,
          hashAlgorithm: slot.signing.hashAlgorithm,
          timestamper: slot.timestamper,
        });
        return { before: result.before, after: result.after, certificate: slot.certificate, sizeBytes: result.sizeBytes };
      } finally {
        slot.users--;
        if (slot.retired && slot.users === 0) await slot.key.close();
      }
    },
    replace(next, settings) {
      const previous = current;
      current = slotFor(next, settings);
      void retire(previous);
    },
    revision: async () => (await current.key.revision?.()) ?? '',
    close: () => retire(current),
  };
}
