// SPDX-License-Identifier: MIT
// Keys from a certificate store directory laid out as .NET's X509Store on Linux:
// `<root>/<store name, lowercased>/<SHA-1 THUMBPRINT>.pfx` (or `<THUMBPRINT>.<n>.pfx` after a
// thumbprint collision), each a PKCS#12 file; .NET writes them without a password. A key source of
// the StoredCertificate backend, not a backend of its own.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ReposignError } from '../../errors.js';
import type { SigningKey } from '../../signing-key.js';
import type { ConfigProblem } from '../signing-provider.js';
import type { KeyLoader } from './key-loader.js';
import { pfxKeyLoader } from './pfx-key.js';

/** A key named by thumbprint in a store. */
export interface CertificateStoreKeySpec {
  /** SHA-1 of the certificate, hex in any case; spaces and colons are ignored. */
  readonly thumbprint: string;
  /** `My`, `Root`, ...; the directory is its lowercase form, as .NET names it. */
  readonly storeName: string;
  /** The stores' root, e.g. `$HOME/.dotnet/corefx/cryptography/x509stores` for .NET's CurrentUser. */
  readonly storeDirectory: string;
  /** For PFX files written with one; .NET's own store files have none. */
  readonly password?: string | undefined;
}

function normaliseThumbprint(thumbprint: string): string {
  return thumbprint.replace(/[\s:]/g, '').toUpperCase();
}

async function candidates(directory: string, thumbprint: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    throw new ReposignError('KEY_NOT_FOUND', `The certificate store '${directory}' does not exist or cannot be read.`, { cause: error });
  }
  const pattern = new RegExp(`^${thumbprint}(\\.[1-9])?\\.pfx$`, 'i');
  return names.filter((name) => pattern.test(name)).sort().map((name) => join(directory, name));
}

/** The files that may hold the certificate with `thumbprint` in `directory`, sorted; none when the directory cannot be read. */
export async function certificateStoreFiles(directory: string, thumbprint: string): Promise<string[]> {
  return candidates(directory, normaliseThumbprint(thumbprint)).catch(() => []);
}

/** Opens keys from a .NET-style certificate store directory. */
export const certificateStoreKeyLoader: KeyLoader<CertificateStoreKeySpec> = {
  validate(spec) {
    const problems: ConfigProblem[] = [];
    if (!/^[0-9A-F]{40}$/.test(normaliseThumbprint(spec.thumbprint))) {
      problems.push({ path: 'thumbprint', message: 'must be the 40 hex digits of the certificate SHA-1 thumbprint' });
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(spec.storeName) || spec.storeName.startsWith('.')) {
      problems.push({ path: 'storeName', message: 'must be a plain store name such as My' });
    }
    if (spec.storeDirectory === '') problems.push({ path: 'storeDirectory', message: 'is empty' });
    return problems;
  },
  async open(spec, options = {}): Promise<SigningKey> {
    const problems = certificateStoreKeyLoader.validate(spec);
    if (problems.length > 0) {
      throw new ReposignError('INVALID_ARGUMENT', problems.map((problem) => `${problem.path} ${problem.message}`).join('; '));
    }
    const thumbprint = normaliseThumbprint(spec.thumbprint);
    const directory = join(spec.storeDirectory, spec.storeName.toLowerCase());
    const files = await candidates(directory, thumbprint);
    if (files.length === 0) {
      throw new ReposignError('KEY_NOT_FOUND', `No certificate with thumbprint ${thumbprint} in the store '${directory}'.`);
    }
    let last: unknown;
    for (const file of files) {
      try {
        return await pfxKeyLoader.open({ pfx: await readFile(file), password: spec.password ?? '' }, { kind: options.kind ?? 'certificate-store', revision: options.revision });
      } catch (error) {
        // A thumbprint collision leaves other certificates under the same prefix: try each.
        last = error;
      }
    }
    throw last;
  },
};
