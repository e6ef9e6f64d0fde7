// SPDX-License-Identifier: MIT
// The content of a stored certificate, however it arrived (files on disk, a Kubernetes Secret):
// PKCS#12 bytes, or PEM text with the certificate and the key in it or beside it.

import { ReposignError } from '../../errors.js';
import type { KeyLoaderOptions } from '../local/key-loader.js';
import { pemKeyLoader } from '../local/pem-key.js';
import { pfxKeyLoader } from '../local/pfx-key.js';
import type { SigningKey } from '../../signing-key.js';

const PRIVATE_KEY_BLOCK = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/** A stored certificate's bytes: the certificate file, optionally a separate key file, and the password. */
export interface StoredCertificateContent {
  readonly certificate: Uint8Array;
  readonly privateKey?: Uint8Array | undefined;
  /** The PKCS#12 password, or the passphrase of an encrypted PEM key; empty for none. */
  readonly password: string;
  /** Names the key's separate source in the error when the certificate holds no key. */
  readonly keySetting?: string;
}

/**
 * Opens stored certificate content: PEM when the certificate bytes are PEM text, PKCS#12
 * otherwise. Throws ReposignError (KEY_*, CERTIFICATE_*) when it cannot be used.
 */
export async function openStoredCertificateContent(content: StoredCertificateContent, options?: KeyLoaderOptions): Promise<SigningKey> {
  const text = Buffer.from(content.certificate).toString('latin1');
  if (!text.includes('-----BEGIN ')) return pfxKeyLoader.open({ pfx: content.certificate, password: content.password }, options);
  const keyText = content.privateKey === undefined ? text : Buffer.from(content.privateKey).toString('utf8');
  const privateKeyPem = PRIVATE_KEY_BLOCK.exec(keyText)?.[0];
  if (privateKeyPem === undefined) {
    throw new ReposignError('KEY_LOAD_FAILED', `it holds no private key (give ${content.keySetting ?? 'the private key'}, or a PFX with the key)`);
  }
  return pemKeyLoader.open({ certificatePem: text, privateKeyPem, password: content.password === '' ? undefined : content.password }, options);
}
