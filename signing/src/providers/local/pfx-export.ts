// SPDX-License-Identifier: MIT
// Writes a key and its certificates as PKCS#12 (RFC 7292), the form the SelfSigned mode persists in
// storage: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) bags and an HMAC-SHA256 MAC, as OpenSSL 3 and
// .NET write by default.

import { createCipheriv, createHash, createPrivateKey, pbkdf2Sync, randomBytes } from 'node:crypto';

import { ReposignError } from '../../errors.js';
import { certificatesFromPem, parseCertificate } from '../../certificates/certificate.js';
import { attribute } from '../../cms/attributes.js';
import { pkcs12Mac } from './pkcs12-mac.js';
import { explicit, integer, nullValue, octetString, oid, retag, sequence, setOf } from '../../cms/der.js';

/** What goes into the PFX. */
export interface PfxExportOptions {
  /** The certificate, then optionally its issuers. */
  readonly certificatePem: string;
  /** PKCS#8 or PKCS#1 PEM (unencrypted). */
  readonly privateKeyPem: string;
  /** Encrypts the bags and keys the MAC. */
  readonly password: string;
}

const ITERATIONS = 10_000;
const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** PBES2 AlgorithmIdentifier and ciphertext for `plaintext`, the password taken as UTF-8. */
function pbes2Encrypt(plaintext: Uint8Array, password: string): { algorithm: Uint8Array; ciphertext: Uint8Array } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const algorithm = sequence(
    oid(OIDS.pbes2),
    sequence(
      sequence(oid(OIDS.pbkdf2), sequence(octetString(salt), integer(ITERATIONS), sequence(oid(OIDS.hmacWithSha256), nullValue()))),
      sequence(oid(OIDS.aes256Cbc), octetString(iv)),
    ),
  );
  return { algorithm, ciphertext };
}

/** SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT, bagAttributes SET OF Attribute OPTIONAL } */
function safeBag(type: string, value: Uint8Array, localKeyId?: Uint8Array): Uint8Array {
  const parts = [oid(type), explicit(0, value)];
  if (localKeyId) parts.push(setOf([attribute(OIDS.localKeyId, octetString(localKeyId))]));
  return sequence(...parts);
}

/**
 * PFX ::= SEQUENCE { version 3, authSafe ContentInfo, macData MacData }. The key is in a
 * pkcs8ShroudedKeyBag inside a data ContentInfo, the certificates in an encryptedData ContentInfo;
 * the key and the leaf share a localKeyId so .NET pairs them. Throws KEY_LOAD_FAILED.
 */
export function exportPfx(options: PfxExportOptions): Uint8Array {
  const certificates = certificatesFromPem(options.certificatePem);
  if (certificates.length === 0) throw new ReposignError('KEY_LOAD_FAILED', 'There is no certificate to export.');
  let shroudedKey: Buffer;
  try {
    shroudedKey = createPrivateKey(options.privateKeyPem).export({
      type: 'pkcs8',
      format: 'der',
      cipher: 'aes-256-cbc',
      passphrase: options.password,
    });
  } catch (error) {
    throw new ReposignError('KEY_LOAD_FAILED', 'The private key to export could not be read.', { cause: error });
  }
  const localKeyId = createHash('sha1').update(parseCertificate(certificates[0]).der).digest();
  const keyContents = sequence(safeBag(OIDS.pkcs8ShroudedKeyBag, shroudedKey, localKeyId));
  const certificateContents = sequence(
    ...certificates.map((der, index) =>
      safeBag(OIDS.certBag, sequence(oid(OIDS.x509Certificate), explicit(0, octetString(der))), index === 0 ? localKeyId : undefined),
    ),
  );
  const encrypted = pbes2Encrypt(certificateContents, options.password);
  const authenticatedSafe = sequence(
    sequence(oid(OIDS.data), explicit(0, octetString(keyContents))),
    sequence(
      oid(OIDS.encryptedData),
      explicit(0, sequence(integer(0), sequence(oid(OIDS.data), encrypted.algorithm, retag(octetString(encrypted.ciphertext), 0x80)))),
    ),
  );
  const macSalt = randomBytes(32);
  const mac = pkcs12Mac(authenticatedSafe, options.password, macSalt, ITERATIONS);
  return sequence(
    integer(3),
    sequence(oid(OIDS.data), explicit(0, octetString(authenticatedSafe))),
    sequence(sequence(sequence(oid(OIDS.sha256), nullValue()), octetString(mac)), octetString(macSalt), integer(ITERATIONS)),
  );
}
