// SPDX-License-Identifier: MIT
// Signs a package with the engine's low-level CMS builder and no certificate policy, so the NuGet
// client can judge signatures made with certificates that `reposign sign` refuses.
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { PackageArchive, writeSignedPackage } from '../../src/archive/index.js';
import { parseCertificate } from '../../src/certificates/certificate.js';
import { createRepositoryPrimarySignature } from '../../src/cms/primary-signature.js';
import { createLocalRsaKey } from '../../src/providers/local/local-rsa-key.js';

/**
 * Writes `outputPath`: the unsigned package at `inputPath` with a repository primary signature by
 * `keyPath` whose certificate set is `chain` (leaf first), exactly as `reposign sign` would make
 * it but without checking the certificates. Throws KEY_UNSUPPORTED for a key that cannot make an
 * RSA PKCS#1 v1.5 signature (EC, RSA-PSS).
 */
export async function signUnchecked(inputPath: string, outputPath: string, chain: readonly Uint8Array[], keyPath: string, serviceIndexUrl: string): Promise<void> {
  const key = createLocalRsaKey('StoredCertificate', createPrivateKey(await readFile(keyPath)), chain);
  const request = { key, chain: chain.map(parseCertificate), hash: 'SHA256' as const, serviceIndexUrl, signingTime: new Date() };
  const archive = await PackageArchive.open(inputPath);
  try {
    await writeSignedPackage(archive, outputPath, 'SHA256', (packageHash) => createRepositoryPrimarySignature(packageHash, request));
  } finally {
    await archive.close();
  }
}
