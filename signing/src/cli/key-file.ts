// SPDX-License-Identifier: MIT
// Opens the signing key named on the command line: a PFX/PKCS#12 file, or PEM (certificate and key
// in one file, or the key in a separate file).

import { readFile } from 'node:fs/promises';

import { ReposignError } from '../errors.js';
import { openPemKey, openPfxKey, type SigningKey } from '../index.js';

const PRIVATE_KEY_BLOCK = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ReposignError('KEY_LOAD_FAILED', `Cannot read the ${what} '${path}'.`, { cause: error });
  }
}

/** What the sign command was told about its key. */
export interface KeyFileOptions {
  readonly certificatePath: string;
  readonly password?: string | undefined;
  /** PEM private key kept apart from the certificate file. */
  readonly privateKeyPath?: string | undefined;
}

/** Opens the key: PEM when the file is PEM text, PKCS#12 otherwise. Throws ReposignError. */
export async function openKeyFile(options: KeyFileOptions): Promise<SigningKey> {
  const bytes = await readInput(options.certificatePath, 'certificate file');
  const text = bytes.toString('latin1');
  if (!text.includes('-----BEGIN ')) {
    return openPfxKey({ pfx: bytes, password: options.password });
  }
  const keyText = options.privateKeyPath
    ? (await readInput(options.privateKeyPath, 'private key file')).toString('utf8')
    : text;
  const privateKeyPem = PRIVATE_KEY_BLOCK.exec(keyText)?.[0];
  if (!privateKeyPem) {
    throw new ReposignError(
      'KEY_LOAD_FAILED',
      `No PRIVATE KEY block found in '${options.privateKeyPath ?? options.certificatePath}': put the key in the PEM file or pass --private-key-path.`,
    );
  }
  return openPemKey({ certificatePem: text, privateKeyPem, password: options.password });
}
