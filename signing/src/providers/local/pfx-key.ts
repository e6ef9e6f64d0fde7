// SPDX-License-Identifier: MIT
// Keys from PKCS#12 (.pfx/.p12) bytes: modern PBES2/AES files and legacy 3DES/RC2 files alike.
// node-forge reads both; node:crypto alone cannot decrypt legacy RC2 bags on OpenSSL 3. A key
// format of the local backends, not a backend of its own.

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

import forge from 'node-forge';

import { ReposignError } from '../../errors.js';
import type { SigningKey } from '../../signing-key.js';
import type { ConfigProblem } from '../signing-provider.js';
import type { KeyLoader } from './key-loader.js';
import { createLocalRsaKey } from './local-rsa-key.js';
import { checkPfxMac } from './pkcs12-mac.js';

/** A PKCS#12 key reference. */
export interface PfxKeySpec {
  readonly pfx: Uint8Array;
  readonly password?: string | undefined;
}

interface PfxContents {
  readonly keys: KeyObject[];
  readonly certificates: Uint8Array[];
}

function toDer(asn1: forge.asn1.Asn1): Uint8Array {
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

function badPassword(cause?: unknown): ReposignError {
  return new ReposignError('KEY_BAD_PASSWORD', 'The PFX password is wrong.', { cause });
}

/**
 * Decodes the PFX with node-forge after checking its MAC here. forge takes the password as raw
 * bytes for PBES2 bags (OpenSSL and .NET use UTF-8) but as characters for legacy PKCS#12 PBE bags,
 * so a non-ASCII password is tried both ways.
 */
function decodePfx(spec: PfxKeySpec): forge.pkcs12.Pkcs12Pfx {
  const password = spec.password ?? '';
  let mac: ReturnType<typeof checkPfxMac>;
  let asn1: forge.asn1.Asn1;
  try {
    mac = checkPfxMac(spec.pfx, password);
    asn1 = forge.asn1.fromDer(Buffer.from(spec.pfx).toString('binary'));
  } catch (error) {
    throw new ReposignError('KEY_LOAD_FAILED', 'The file is not a PKCS#12 (PFX) file.', { cause: error });
  }
  if (mac === 'invalid') throw badPassword();
  if (mac === 'valid' && Array.isArray(asn1.value)) asn1.value = asn1.value.slice(0, 2);
  const utf8 = Buffer.from(password, 'utf8').toString('binary');
  const attempts = utf8 === password ? [password] : [utf8, password];
  let last: unknown;
  for (const attempt of attempts) {
    try {
      return forge.pkcs12.pkcs12FromAsn1(asn1, false, attempt);
    } catch (error) {
      last = error;
    }
  }
  const message = last instanceof Error ? last.message : String(last);
  if (/password|MAC could not be verified|decrypt/i.test(message)) throw badPassword(last);
  throw new ReposignError('KEY_LOAD_FAILED', `The PFX file could not be read: ${message}.`, { cause: last });
}

function readPfx(spec: PfxKeySpec): PfxContents {
  const p12 = decodePfx(spec);
  const keys: KeyObject[] = [];
  const certificates: Uint8Array[] = [];
  for (const safeContents of p12.safeContents) {
    for (const bag of safeContents.safeBags) {
      if (bag.key) {
        keys.push(createPrivateKey({ key: forge.pki.privateKeyToPem(bag.key), format: 'pem' }));
      } else if (bag.asn1 && (bag.type === forge.pki.oids.keyBag || bag.type === forge.pki.oids.pkcs8ShroudedKeyBag)) {
        // A key type forge cannot model (EC, ...): hand its PrivateKeyInfo to node:crypto.
        keys.push(createPrivateKey({ key: Buffer.from(toDer(bag.asn1)), format: 'der', type: 'pkcs8' }));
      } else if (bag.cert) {
        certificates.push(toDer(forge.pki.certificateToAsn1(bag.cert)));
      } else if (bag.asn1 && bag.type === forge.pki.oids.certBag) {
        certificates.push(toDer(bag.asn1));
      }
    }
  }
  for (const der of certificates) {
    try {
      new X509Certificate(Buffer.from(der));
    } catch (error) {
      throw new ReposignError('KEY_LOAD_FAILED', 'A certificate in the PFX file is not valid X.509.', { cause: error });
    }
  }
  return { keys, certificates };
}

/** Opens PKCS#12 keys. */
export const pfxKeyLoader: KeyLoader<PfxKeySpec> = {
  validate(spec) {
    const problems: ConfigProblem[] = [];
    if (spec.pfx.length === 0) problems.push({ path: 'pfx', message: 'is empty' });
    return problems;
  },
  async open(spec, options = {}): Promise<SigningKey> {
    const { keys, certificates } = readPfx(spec);
    if (keys.length === 0) {
      throw new ReposignError('KEY_LOAD_FAILED', 'The PFX file has no private key.');
    }
    if (keys.length > 1) {
      throw new ReposignError('KEY_LOAD_FAILED', `The PFX file has ${keys.length} private keys; reposign needs exactly one.`);
    }
    if (certificates.length === 0) {
      throw new ReposignError('KEY_LOAD_FAILED', 'The PFX file has no certificate.');
    }
    return createLocalRsaKey(options.kind ?? 'pfx', keys[0], certificates, options.revision);
  },
};
