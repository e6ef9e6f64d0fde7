// SPDX-License-Identifier: MIT
// Keys from PEM text: a certificate (optionally followed by its chain) and a PKCS#1/PKCS#8 private
// key. A key format of the local backends, not a backend of its own.

import { createPrivateKey, type KeyObject } from 'node:crypto';

import { ReposignError } from '../../errors.js';
import { certificatesFromPem } from '../../certificates/certificate.js';
import type { SigningKey } from '../../signing-key.js';
import type { ConfigProblem } from '../signing-provider.js';
import type { KeyLoader } from './key-loader.js';
import { createLocalRsaKey } from './local-rsa-key.js';

/** A PEM key reference: PEM text, already read from files or Secrets. */
export interface PemKeySpec {
  /** One or more CERTIFICATE blocks: the signing certificate and, optionally, its issuers. */
  readonly certificatePem: string;
  /** A PRIVATE KEY, RSA PRIVATE KEY or ENCRYPTED PRIVATE KEY block. */
  readonly privateKeyPem: string;
  /** Extra CERTIFICATE blocks of the chain, when kept apart from the certificate. */
  readonly chainPem?: string | undefined;
  /** Passphrase of an encrypted private key. */
  readonly password?: string | undefined;
}

function loadPrivateKey(spec: PemKeySpec): KeyObject {
  try {
    return createPrivateKey({ key: spec.privateKeyPem, format: 'pem', passphrase: spec.password });
  } catch (error) {
    const encrypted = spec.privateKeyPem.includes('ENCRYPTED');
    throw new ReposignError(
      encrypted ? 'KEY_BAD_PASSWORD' : 'KEY_LOAD_FAILED',
      encrypted
        ? 'The encrypted PEM private key could not be decrypted: the password is wrong or missing.'
        : 'The PEM private key could not be read.',
      { cause: error },
    );
  }
}

/** Opens PEM keys. */
export const pemKeyLoader: KeyLoader<PemKeySpec> = {
  validate(spec) {
    const problems: ConfigProblem[] = [];
    if (!spec.certificatePem.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push({ path: 'certificatePem', message: 'has no CERTIFICATE block' });
    }
    if (!/-----BEGIN (RSA |ENCRYPTED |EC )?PRIVATE KEY-----/.test(spec.privateKeyPem)) {
      problems.push({ path: 'privateKeyPem', message: 'has no PRIVATE KEY block' });
    }
    return problems;
  },
  async open(spec, options = {}): Promise<SigningKey> {
    const certificates = [...certificatesFromPem(spec.certificatePem), ...certificatesFromPem(spec.chainPem ?? '')];
    if (certificates.length === 0) {
      throw new ReposignError('KEY_LOAD_FAILED', 'The PEM input holds no certificate.');
    }
    return createLocalRsaKey(options.kind ?? 'pem', loadPrivateKey(spec), certificates, options.revision);
  },
};
