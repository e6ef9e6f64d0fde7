// SPDX-License-Identifier: MIT
// The repository PRIMARY signature of an unsigned package (spec §5): a ContentInfo holding SignedData.

import type { ParsedCertificate } from '../certificates/certificate.js';
import { contentTypeDataAttribute, digestAlgorithmIdentifier } from './attributes.js';
import { explicit, integer, octetString, oid, retag, sequence, setOf } from './der.js';
import { OID } from './oids.js';
import { buildRepositorySignerInfo, type RepositorySignatureRequest } from './repository-signer.js';
import { encodeSignatureContent } from './signature-content.js';

/** Per parsed chain, its certificate set ([0] IMPLICIT SET OF Certificate): a feed signs every package with one chain. */
const certificateSets = new WeakMap<readonly ParsedCertificate[], Uint8Array>();

function certificateSet(chain: readonly ParsedCertificate[]): Uint8Array {
  let encoded = certificateSets.get(chain);
  if (!encoded) {
    encoded = retag(setOf(chain.map((certificate) => certificate.der)), 0xa0);
    certificateSets.set(chain, encoded);
  }
  return encoded;
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
  const content = encodeSignatureContent(request.hash, packageHash);
  const signerInfo = await buildRepositorySignerInfo(request, content, [contentTypeDataAttribute()]);
  const signedData = sequence(
    integer(signerInfo.version),
    setOf([digestAlgorithmIdentifier(request.hash)]),
    sequence(oid(OID.data), explicit(0, octetString(content))),
    certificateSet(request.chain),
    setOf([signerInfo.der]),
  );
  return sequence(oid(OID.signedData), explicit(0, signedData));
}
