// SPDX-License-Identifier: MIT
// The repository PRIMARY signature of an unsigned package (spec §5): a ContentInfo holding SignedData.

import type { ParsedCertificate } from '../certificates/certificate.js';
import type { HashAlgorithmName } from '../hash-algorithm.js';
import type { SigningKey } from '../providers/signing-key.js';
import type { Timestamper } from '../timestamp/index.js';
import { contentTypeDataAttribute, digestAlgorithmIdentifier, repositoryAttributes } from './attributes.js';
import { explicit, integer, octetString, oid, retag, sequence, setOf } from './der.js';
import { OID } from './oids.js';
import { encodeSignatureContent } from './signature-content.js';
import { buildSignerInfo } from './signer-info.js';

/** Everything a repository signature needs besides the package. */
export interface RepositorySignatureRequest {
  readonly key: SigningKey;
  /** The key's chain, parsed: the leaf first. */
  readonly chain: readonly ParsedCertificate[];
  readonly hash: HashAlgorithmName;
  readonly serviceIndexUrl: string;
  readonly packageOwners?: readonly string[] | undefined;
  readonly timestamper?: Timestamper | undefined;
  readonly signingTime: Date;
}

/**
 * ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
 * SignedData ::= SEQUENCE { version, digestAlgorithms SET OF, encapContentInfo, certificates [0] IMPLICIT, signerInfos SET OF }
 *
 * Returns the `.signature.p7s` bytes committing to `packageHash`. The certificate set carries the
 * whole chain, root included, as NuGet's signer does (spec §5.4).
 */
export async function createRepositoryPrimarySignature(
  packageHash: Uint8Array,
  request: RepositorySignatureRequest,
): Promise<Uint8Array> {
  const leaf = request.chain[0]!;
  const content = encodeSignatureContent(request.hash, packageHash);
  const signerInfo = await buildSignerInfo({
    key: request.key,
    certificate: leaf,
    hash: request.hash,
    message: content,
    attributes: [
      contentTypeDataAttribute(),
      ...repositoryAttributes({
        certificate: leaf,
        hash: request.hash,
        serviceIndexUrl: request.serviceIndexUrl,
        packageOwners: request.packageOwners,
        signingTime: request.signingTime,
      }),
    ],
    timestamper: request.timestamper,
  });
  const signedData = sequence(
    integer(signerInfo.version),
    setOf([digestAlgorithmIdentifier(request.hash)]),
    sequence(oid(OID.data), explicit(0, octetString(content))),
    retag(setOf(request.chain.map((certificate) => certificate.der)), 0xa0),
    setOf([signerInfo.der]),
  );
  return sequence(oid(OID.signedData), explicit(0, signedData));
}
