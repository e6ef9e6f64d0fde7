// SPDX-License-Identifier: MIT
// Generates the self-signed code-signing certificate of the embedded default and SelfSigned mode,
// with the profile NuGet accepts (spec §5.5): RSA ≥ 2048, sha2WithRSA, EKU codeSigning, SKI.

import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

import { ReposignError } from '../errors.js';
import {
  booleanValue,
  children,
  explicit,
  integer,
  nullValue,
  octetString,
  oid,
  readTlv,
  sequence,
  time,
  tlvContent,
  unsignedInteger,
  element,
  TAG,
} from '../cms/der.js';
import { OID } from '../cms/oids.js';
import { hashAlgorithm, type HashAlgorithmName } from '../hash-algorithm.js';
import { encodeDistinguishedName } from './distinguished-name.js';

const generateRsa = promisify(generateKeyPair);

/** What the self-signed certificate should look like. */
export interface SelfSignedCertificateOptions {
  /** Distinguished name, e.g. `CN=reposign feed, O=Contoso, C=US`. */
  readonly subject: string;
  readonly keyBits?: 2048 | 3072 | 4096;
  /** 1 to 3650 days; default 3650. */
  readonly validityDays?: number;
  readonly hashAlgorithm?: HashAlgorithmName;
  /** Start of validity; default one hour ago, so clocks slightly behind still accept it (NU3017). */
  readonly notBefore?: Date;
  /** End of validity; when set it wins over `validityDays` (the operator asks for a duration such as 8760h). */
  readonly notAfter?: Date;
  /** Re-certifies this RSA key (PKCS#8 or PKCS#1 PEM) instead of generating one; its size wins over `keyBits`. */
  readonly privateKeyPem?: string;
}

/** A generated certificate and its key, both PEM. */
export interface GeneratedCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const SIGNATURE_ALGORITHM: Readonly<Record<HashAlgorithmName, string>> = {
  SHA256: OID.sha256WithRsa,
  SHA384: OID.sha384WithRsa,
  SHA512: OID.sha512WithRsa,
};

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? sequence(oid(id), booleanValue(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function subjectKeyIdentifier(spki: Uint8Array): Uint8Array {
  // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value.
  const [, bitString] = children(readTlv(spki));
  return createHash('sha1').update(tlvContent(bitString).subarray(1)).digest();
}

function pem(label: string, der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** The key pair of an existing RSA private key. Throws INVALID_ARGUMENT for anything else. */
function existingRsaKey(privateKeyPem: string): { publicKey: KeyObject; privateKey: KeyObject } {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new ReposignError('INVALID_ARGUMENT', 'The private key to re-certify could not be read.', { cause: error });
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (privateKey.asymmetricKeyType !== 'rsa' || ![2048, 3072, 4096].includes(bits)) {
    throw new ReposignError('INVALID_ARGUMENT', `The private key to re-certify must be RSA 2048, 3072 or 4096 bits (it is ${privateKey.asymmetricKeyType ?? 'unknown'} ${bits}).`);
  }
  return { publicKey: createPublicKey(privateKey), privateKey };
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * Builds and self-signs a v3 certificate for a new RSA key: basicConstraints CA:FALSE,
 * keyUsage digitalSignature (critical), EKU codeSigning, SKI, a random positive 16-byte serial.
 */
export async function generateSelfSignedCertificate(options: SelfSignedCertificateOptions): Promise<GeneratedCertificate> {
  const keyBits = options.keyBits ?? 4096;
  if (![2048, 3072, 4096].includes(keyBits)) {
    throw new ReposignError('INVALID_ARGUMENT', `Key size ${keyBits} is not supported; use 2048, 3072 or 4096.`);
  }
  const validityDays = options.validityDays ?? 3650;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) {
    throw new ReposignError('INVALID_ARGUMENT', `Validity of ${validityDays} days must be a whole number from 1 to 3650.`);
  }
  const hash = options.hashAlgorithm ?? 'SHA256';
  const name = encodeDistinguishedName(options.subject);
  const { publicKey, privateKey } = options.privateKeyPem === undefined ? await generateRsa('rsa', { modulusLength: keyBits }) : existingRsaKey(options.privateKeyPem);
  const spki = (publicKey).export({ type: 'spki', format: 'der' });
  const notBefore = options.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + validityDays * 24 * 60 * 60 * 1000);
  if (!(notAfter.getTime() > notBefore.getTime())) {
    throw new ReposignError('INVALID_ARGUMENT', `The certificate would end (${notAfter.toISOString()}) before it starts (${notBefore.toISOString()}).`);
  }
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const algorithm = sequence(oid(SIGNATURE_ALGORITHM[hash]), nullValue());
  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence()),
    // KeyUsage BIT STRING: digitalSignature is bit 0 (0x80), 7 unused bits.
    extension(OID.keyUsage, true, element(TAG.BIT_STRING, Uint8Array.of(7, 0x80))),
    extension(OID.extendedKeyUsage, false, sequence(oid(OID.codeSigningEku))),
    extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyIdentifier(spki))),
  );
  const tbs = sequence(
    explicit(0, integer(2)),
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign(hashAlgorithm(hash).nodeName, tbs, privateKey);
  const certificate = sequence(tbs, algorithm, element(TAG.BIT_STRING, Uint8Array.of(0), signature));
  return {
    certificatePem: pem('CERTIFICATE', certificate),
    privateKeyPem: (privateKey).export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
