// SPDX-License-Identifier: MIT
// The signed content of a NuGet primary signature (spec §4): "Version:1\n\n<oid>-Hash:<b64>\n\n".

import { ReposignError } from '../errors.js';
import { hashAlgorithm, hashAlgorithmByOid, type HashAlgorithmInfo, type HashAlgorithmName } from '../hash-algorithm.js';

/** What a primary signature commits to: the package hash and its algorithm. */
export interface SignatureContent {
  readonly hashAlgorithm: HashAlgorithmInfo;
  readonly packageHash: Uint8Array;
}

/** The exact eContent bytes NuGet writes: UTF-8 without BOM, LF line ends, trailing blank line. */
export function encodeSignatureContent(hash: HashAlgorithmName, packageHash: Uint8Array): Uint8Array {
  const { oid } = hashAlgorithm(hash);
  return Buffer.from(`Version:1\n\n${oid}-Hash:${Buffer.from(packageHash).toString('base64')}\n\n`, 'utf8');
}

function invalid(message: string, nugetCode = 'NU3000'): ReposignError {
  return new ReposignError('SIGNATURE_MALFORMED', `The signature content is invalid: ${message}.`, { nugetCode });
}

/**
 * Parses signature content the way NuGet's KeyPairFileReader does: sections end at an empty line,
 * section 1 holds Version:1, section 2 holds one `<oid>-Hash` key with an allowed OID.
 */
export function decodeSignatureContent(bytes: Uint8Array): SignatureContent {
  const text = Buffer.from(bytes).toString('utf8');
  const lines = text.split('\n');
  const sections: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let index = 0;
  for (; index < lines.length - 1 && sections.length < 2; index++) {
    const line = lines[index];
    if (line === '') {
      if (current.size === 0) throw invalid('empty section');
      sections.push(current);
      current = new Map();
      continue;
    }
    const colon = line.indexOf(':');
    const key = colon < 0 ? '' : line.slice(0, colon);
    if (!/^[a-zA-Z0-9.\-/]+$/.test(key)) throw invalid(`bad line '${line.slice(0, 80)}'`);
    if (current.has(key)) throw invalid(`duplicate key '${key}'`);
    current.set(key, line.slice(colon + 1));
  }
  if (sections.length < 2) throw invalid('it must end with an empty line after the hash section');
  if (sections[0].get('Version') !== '1') throw invalid('Version must be 1', 'NU3007');
  for (const [key, value] of sections[1]) {
    if (!key.endsWith('-Hash')) continue;
    const algorithm = hashAlgorithmByOid(key.slice(0, -'-Hash'.length));
    if (!algorithm) continue;
    const packageHash = Buffer.from(value, 'base64');
    if (packageHash.length !== algorithm.length || packageHash.toString('base64') !== value) {
      throw invalid(`the ${algorithm.name} hash is not ${algorithm.length} bytes of base64`);
    }
    return { hashAlgorithm: algorithm, packageHash };
  }
  throw invalid('unable to read the package hash');
}
