// SPDX-License-Identifier: MIT
// The RepositorySignatures/5.0.0 document: the certificates clients must accept.

import type { CertificateRecord } from '../db/certificates-repository.js';
import { SHA256_OID, type RepositorySignaturesIndex } from '../schemas/repository-signatures.js';
import type { FeedUrls } from './feed-urls.js';

/**
 * The repository-signatures index listing `certificates`; every `contentUrl` is built on `urls`,
 * which clients require to be https (spec §8.4).
 */
export function repositorySignaturesDocument(urls: FeedUrls, allRepositorySigned: boolean, certificates: readonly CertificateRecord[]): RepositorySignaturesIndex {
  return {
    allRepositorySigned,
    signingCertificates: certificates.map((certificate) => ({
      fingerprints: { [SHA256_OID]: certificate.fingerprintSha256 },
      subject: certificate.subject,
      issuer: certificate.issuer,
      notBefore: certificate.notBefore.toISOString(),
      notAfter: certificate.notAfter.toISOString(),
      contentUrl: urls.certificate(certificate.fingerprintSha256),
    })),
  };
}
