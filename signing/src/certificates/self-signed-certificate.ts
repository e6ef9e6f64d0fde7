// SPDX-License-Identifier: MIT
// Builds the self-issued code-signing certificate profile NuGet accepts (spec §5.5): RSA ≥ 2048,
// sha2WithRSA, EKU codeSigning, SKI. The TBSCertificate is built once and signed by a local key
// (SelfSigned mode) or by a remote key that never leaves its vault (remote-issued-certificate.ts).

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
import { certificateToPem } from './certificate.js';
import { encodeDistinguishedName } from './distinguished-name.js';

const generateRsa = promisify(generateKeyPair);

/** The profile of a code-signing certificate for a key: subject, validity and signature hash. */
export interface CodeSigningCertificateProfile {
  /** Distinguished name, e.g. `CN=reposign feed, O=Contoso, C=US`. */
  readonly subject: string;
  /** 1 to 3650 days; default 3650. */
  readonly validityDays?: number;
  readonly hashAlgorithm?: HashAlgorithmName;
  /** Start of validity; default one hour ago, so clocks slightly behind still accept it (NU3017). */
  readonly notBefore?: Date;
  /** End of validity; when set it wins over `validityDays` (the operator asks for a duration such as 8760h). */
  readonly notAfter?: Date;
  /** The serial number's magnitude; default 16 random bytes. A positive INTEGER either way. */
  readonly serial?: Uint8Array;
}

/** What the self-signed certificate should look like. */
export interface SelfSignedCertificateOptions extends CodeSigningCertificateProfile {
  readonly keyBits?: 2048 | 3072 | 4096;
  /** Re-certifies this RSA key (PKCS#8 or PKCS#1 PEM) instead of generating one; its size wins over `keyBits`. */
  readonly privateKeyPem?: string;
}

/**
 * Signs a TBSCertificate with RSASSA-PKCS1-v1_5 under `hash` and returns the raw signature: a
 * private key in this process, or a remote key (KMS, HSM) that never leaves its vault.
 */
export type TbsSigner = (tbs: Uint8Array, hash: HashAlgorithmName) => Promise<Uint8Array>;

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

function validityOf(profile: CodeSigningCertificateProfile): { notBefore: Date; notAfter: Date } {
  const validityDays = profile.validityDays ?? 3650;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) {
    throw new ReposignError('INVALID_ARGUMENT', `Validity of ${validityDays} days must be a whole number from 1 to 3650.`);
  }
  const notBefore = profile.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = profile.notAfter ?? new Date(notBefore.getTime() + validityDays * 24 * 60 * 60 * 1000);
  if (!(notAfter.getTime() > notBefore.getTime())) {
    throw new ReposignError('INVALID_ARGUMENT', `The certificate would end (${notAfter.toISOString()}) before it starts (${notBefore.toISOString()}).`);
  }
  return { notBefore, notAfter };
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * Builds a v3 code-signing certificate for the RSA public key `spki` (DER SubjectPublicKeyInfo),
 * self-issued (issuer = subject): basicConstraints CA:FALSE, keyUsage digitalSignature (critical),
 * EKU codeSigning, SKI; `signTbs` signs the TBSCertificate with the key that `spki` belongs to.
 * Returns the DER certificate. Throws INVALID_ARGUMENT for a bad subject or validity.
 */
export async function issueCodeSigningCertificate(profile: CodeSigningCertificateProfile, spki: Uint8Array, signTbs: TbsSigner): Promise<Uint8Array> {
  const hash = profile.hashAlgorithm ?? 'SHA256';
  const name = encodeDistinguishedName(profile.subject);
  const { notBefore, notAfter } = validityOf(profile);
  const serial = Uint8Array.from(profile.serial ?? randomBytes(16));
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
  const signature = await signTbs(tbs, hash);
  return sequence(tbs, algorithm, element(TAG.BIT_STRING, Uint8Array.of(0), signature));
}

/**
 * Generates a new RSA key (or re-certifies `privateKeyPem`) and self-signs a code-signing
 * certificate for it with {@link issueCodeSigningCertificate}, in this process.
 */
export async function generateSelfSignedCertificate(options: SelfSignedCertificateOptions): Promise<GeneratedCertificate> {
  const keyBits = options.keyBits ?? 4096;
  if (![2048, 3072, 4096].includes(keyBits)) {
    throw new ReposignError('INVALID_ARGUMENT', `Key size ${keyBits} is not supported; use 2048, 3072 or 4096.`);
  }
  // Checked before a key is generated, which takes seconds at 4096 bits.
  validityOf(options);
  encodeDistinguishedName(options.subject);
  const { publicKey, privateKey } = options.privateKeyPem === undefined ? await generateRsa('rsa', { modulusLength: keyBits }) : existingRsaKey(options.privateKeyPem);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const certificate = await issueCodeSigningCertificate(options, spki, async (tbs, hash) => sign(hashAlgorithm(hash).nodeName, tbs, privateKey));
  return {
    certificatePem: certificateToPem(certificate),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
