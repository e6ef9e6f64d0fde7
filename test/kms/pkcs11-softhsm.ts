// SPDX-License-Identifier: MIT
// SoftHSM2 tokens for the PKCS#11 tests: a private configuration and token directory under a test
// directory (SOFTHSM2_CONF), a token initialised by softhsm2-util, and keys generated on the token
// through pkcs11js as sensitive and non-extractable, as an HSM key would be.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import pkcs11js from 'pkcs11js';

const execFileAsync = promisify(execFile);

/** Where Debian's softhsm2 package puts the module. */
export const SOFTHSM_MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((path) => existsSync(path)) ?? '/usr/lib/softhsm/libsofthsm2.so';

/** A SoftHSM2 token in a test directory. */
export interface SoftHsmToken {
  /** The SOFTHSM2_CONF value: every process that opens the token needs it in its environment. */
  readonly configPath: string;
  readonly modulePath: string;
  readonly label: string;
  readonly pin: string;
  /** Generates a key pair on the token with CKA_LABEL and CKA_ID `label`: private key sensitive and non-extractable. */
  generateKey(label: string, type: { readonly rsaBits: number } | { readonly ecCurve: 'P-256' }): void;
}

/** The feed's environment for Pkcs11 mode on `token`'s key `keyLabel`, the PIN passed through a configuration key. */
export function pkcs11FeedEnv(token: SoftHsmToken, keyLabel: string): Record<string, string> {
  return {
    Signing__Mode: 'Pkcs11',
    Signing__Pkcs11__ModulePath: token.modulePath,
    Signing__Pkcs11__TokenLabel: token.label,
    Signing__Pkcs11__KeyLabel: keyLabel,
    Signing__Pkcs11__PinConfigurationKey: 'Secrets:HsmPin',
    Secrets__HsmPin: token.pin,
    SOFTHSM2_CONF: token.configPath,
  };
}

/** DER OBJECT IDENTIFIER of prime256v1, the CKA_EC_PARAMS of a P-256 key. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

/** True when softhsm2-util and the module are installed (CI installs them in .ci/run). */
export function softHsmAvailable(): boolean {
  return existsSync(SOFTHSM_MODULE) && ['/usr/bin/softhsm2-util', '/usr/local/bin/softhsm2-util'].some((path) => existsSync(path));
}

/** Initialises token `label` in `dir` with softhsm2-util and sets process.env.SOFTHSM2_CONF to its configuration. */
export async function createSoftHsmToken(dir: string, label = 'reposign'): Promise<SoftHsmToken> {
  const tokens = join(dir, 'softhsm-tokens');
  await mkdir(tokens, { recursive: true });
  const configPath = join(dir, 'softhsm2.conf');
  await writeFile(configPath, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const pin = '246810';
  const env = { ...process.env, SOFTHSM2_CONF: configPath };
  await execFileAsync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', '13579246', '--pin', pin], { env });
  process.env['SOFTHSM2_CONF'] = configPath;

  function generateKey(keyLabel: string, type: { readonly rsaBits: number } | { readonly ecCurve: 'P-256' }): void {
    const module = new pkcs11js.PKCS11();
    module.load(SOFTHSM_MODULE);
    module.C_Initialize();
    try {
      const slot = module.C_GetSlotList(true).find((candidate) => module.C_GetTokenInfo(candidate).label.trim() === label);
      if (slot === undefined) throw new Error(`no SoftHSM token ${label}`);
      const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      module.C_Login(session, pkcs11js.CKU_USER, pin);
      const common = [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: keyLabel },
        { type: pkcs11js.CKA_ID, value: Buffer.from(keyLabel) },
      ];
      const rsa = 'rsaBits' in type;
      module.C_GenerateKeyPair(
        session,
        { mechanism: rsa ? pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN : pkcs11js.CKM_EC_KEY_PAIR_GEN },
        [
          ...common,
          { type: pkcs11js.CKA_VERIFY, value: true },
          ...(rsa ? [{ type: pkcs11js.CKA_MODULUS_BITS, value: type.rsaBits }, { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }] : [{ type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS }]),
        ],
        [...common, { type: pkcs11js.CKA_PRIVATE, value: true }, { type: pkcs11js.CKA_SIGN, value: true }, { type: pkcs11js.CKA_SENSITIVE, value: true }, { type: pkcs11js.CKA_EXTRACTABLE, value: false }],
      );
      module.C_Logout(session);
      module.C_CloseSession(session);
    } finally {
      module.C_Finalize();
    }
  }

  return { configPath, modulePath: SOFTHSM_MODULE, label, pin, generateKey };
}
