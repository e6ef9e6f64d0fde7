// SPDX-License-Identifier: MIT
// The repository-signatures view: which certificates clients must accept and whether every served
// package carries one of them.

import { readFile } from 'node:fs/promises';
import { certificatesFromPem, describeCertificate } from '@reposign/signing';
import { certificatesRepository, type CertificateRecord } from '../db/certificates-repository.js';
import { packagesRepository } from '../db/packages-repository.js';
import type { FeedUrls } from '../nuget/feed-urls.js';
import { repositorySignaturesDocument } from '../nuget/repository-signatures-document.js';
import type { RepositorySignaturesIndex } from '../schemas/repository-signatures.js';
import type { FeedContext } from './feed-context.js';

/** The data behind `/v3/repository-signatures/index.json`. */
export interface RepositorySignatures {
  /** True only when no served package lacks our signature and at least one certificate is listed. */
  readonly allRepositorySigned: boolean;
  /** Every certificate that ever signed a package here (append-only), oldest first. */
  readonly certificates: readonly CertificateRecord[];
}

/** Records the signer's certificate as the active one (at startup, before any signing). */
export async function activateSigningCertificate(ctx: FeedContext): Promise<void> {
  const certificate = ctx.signer.certificate;
  await ctx.db.transaction((tx) =>
    certificatesRepository(tx).activate({
      fingerprintSha256: certificate.fingerprintSha256,
      subject: certificate.subject,
      issuer: certificate.issuer,
      serialNumber: certificate.serialNumber,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      der: certificate.der,
    }),
  );
}

/**
 * Lists every certificate of the configured published-certificates file (append-only: a
 * certificate once listed stays). Returns how many were new. Throws when the file cannot be read
 * or holds something that is not a certificate.
 */
export async function publishListedCertificates(ctx: FeedContext): Promise<number> {
  const path = ctx.signer.signing.publishedCertificatesPath;
  if (path === '') return 0;
  const certificates = certificatesFromPem(await readFile(path, 'utf8')).map((der) => describeCertificate(der));
  return ctx.db.transaction(async (tx) => {
    const repository = certificatesRepository(tx);
    let added = 0;
    for (const certificate of certificates) if (await repository.publish(certificate)) added++;
    return added;
  });
}

/** Reads the certificate list and computes `allRepositorySigned` honestly. */
export async function repositorySignatures(ctx: FeedContext): Promise<RepositorySignatures> {
  const certificates = await certificatesRepository(ctx.db).list();
  const unsigned = await packagesRepository(ctx.db).countUnsigned();
  return { allRepositorySigned: unsigned === 0 && certificates.length > 0, certificates };
}

/** The `/v3/repository-signatures/index.json` document, its certificate URLs built on `urls`. */
export async function repositorySignaturesIndex(ctx: FeedContext, urls: FeedUrls): Promise<RepositorySignaturesIndex> {
  const { allRepositorySigned, certificates } = await repositorySignatures(ctx);
  return repositorySignaturesDocument(urls, allRepositorySigned, certificates);
}

/** The DER of a listed certificate, or undefined. */
export async function certificateDer(ctx: FeedContext, fingerprintSha256: string): Promise<Uint8Array | undefined> {
  return (await certificatesRepository(ctx.db).find(fingerprintSha256.toLowerCase()))?.der;
}
