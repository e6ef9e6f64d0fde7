// SPDX-License-Identifier: MIT
// The checks a Key Vault key passes before it signs anything: an RSA key of at least 2048 bits (the
// only kind NuGet accepts, judged like every remote key), and the very key of its certificate.

import { createPublicKey, type KeyObject } from 'node:crypto';

import type { JsonWebKey } from '@azure/keyvault-keys';

import type { ParsedCertificate } from '../../certificates/certificate.js';
import { remoteRsaPublicKey } from '../../certificates/remote-issued-certificate.js';
import { ReposignError } from '../../errors.js';

function base64Url(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array()).toString('base64url');
}

/**
 * The public key of a Key Vault JSON web key. Throws KEY_UNSUPPORTED when it is not an RSA key
 * (`RSA` or `RSA-HSM`) of at least 2048 bits, naming `described`.
 */
export function keyVaultPublicKey(jwk: JsonWebKey, described: string): KeyObject {
  const type = (jwk.kty ?? 'unknown').replace(/-HSM$/, '');
  const fields = type === 'RSA' ? { n: base64Url(jwk.n), e: base64Url(jwk.e) } : type === 'EC' ? { crv: jwk.crv, x: base64Url(jwk.x), y: base64Url(jwk.y) } : undefined;
  let spki: Buffer;
  try {
    if (fields === undefined) throw new Error(`key type ${type}`);
    spki = createPublicKey({ key: { kty: type, ...fields }, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  } catch (error) {
    throw new ReposignError('KEY_UNSUPPORTED', `${described} is a ${jwk.kty ?? 'typeless'} key that reposign cannot read; NuGet signatures need an RSA key (NU3014).`, { cause: error });
  }
  return remoteRsaPublicKey(spki, described);
}

/** Throws CERTIFICATE_MISMATCH when `certificate` does not certify `publicKey`. */
export function assertCertificateKey(certificate: ParsedCertificate, publicKey: KeyObject, described: string): void {
  const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
  if (!spki(certificate.publicKey).equals(spki(publicKey))) {
    throw new ReposignError('CERTIFICATE_MISMATCH', `The certificate '${certificate.subject}' does not belong to ${described}: their public keys differ.`);
  }
}
