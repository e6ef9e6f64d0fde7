// SPDX-License-Identifier: MIT
// One key on a PKCS#11 token: a logged-in session opened once and reused, the private key found by
// label or id, its public key read from the token, and signatures made with CKM_RSA_PKCS over a
// DigestInfo (so the engine's digest is signed as is). The session does one operation at a time.

import { createPublicKey } from 'node:crypto';

import { unsupportedKeyType } from '../../certificates/remote-issued-certificate.js';
import { ReposignError } from '../../errors.js';
import type { HashAlgorithmName } from '../../hash-algorithm.js';
import type { RemoteFailure } from '../remote/resilience.js';
import type { RemoteKeyOperations } from '../remote/remote-signing-key.js';
import { digestInfo } from '../../signing-key.js';
import { acquireModule, type AcquiredModule, type Pkcs11Api } from './pkcs11-module.js';

/** Where the key is on which token, and the PIN. */
export interface Pkcs11KeyLocation {
  readonly modulePath: string;
  /** Empty when `slotId` picks the token. */
  readonly tokenLabel: string;
  /** Empty when `tokenLabel` picks the token. */
  readonly slotId: string;
  /** Empty when `keyId` picks the key. */
  readonly keyLabel: string;
  /** CKA_ID as hex; empty when `keyLabel` picks the key. */
  readonly keyId: string;
  readonly pin: string;
}

const ACCESS_DENIED = new Set(['CKR_PIN_INCORRECT', 'CKR_PIN_LOCKED', 'CKR_PIN_EXPIRED', 'CKR_PIN_INVALID', 'CKR_USER_PIN_NOT_INITIALIZED', 'CKR_USER_NOT_LOGGED_IN']);
const OUTAGES = new Set(['CKR_DEVICE_ERROR', 'CKR_DEVICE_REMOVED', 'CKR_DEVICE_MEMORY', 'CKR_TOKEN_NOT_PRESENT', 'CKR_TOKEN_NOT_RECOGNIZED', 'CKR_SESSION_HANDLE_INVALID', 'CKR_SESSION_CLOSED', 'CKR_SESSION_COUNT', 'CKR_OPERATION_ACTIVE', 'CKR_FUNCTION_FAILED']);

/** Classifies a failed PKCS#11 call: device and session failures are outages; a wrong PIN is KEY_ACCESS_DENIED. */
export function classifyPkcs11Error(error: unknown, keyName: string): RemoteFailure {
  const name = error instanceof Error ? error.message : String(error);
  if (OUTAGES.has(name)) return 'unavailable';
  if (ACCESS_DENIED.has(name)) return new ReposignError('KEY_ACCESS_DENIED', `${keyName}: the token refused the PIN (${name}).`, { cause: error });
  return new ReposignError('SIGNING_FAILED', `${keyName}: the PKCS#11 module failed (${name}).`, { cause: error });
}

/** A CK_ULONG as the module returns it (4 or 8 bytes, little-endian on the platforms Node runs on). */
function ulong(value: Buffer): number {
  return value.length === 8 ? Number(value.readBigUInt64LE()) : value.readUInt32LE();
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

/** The PKCS#11 key's raw operations, with its module, session and login kept open between calls. */
export class Pkcs11Key implements RemoteKeyOperations {
  readonly #api: Pkcs11Api;
  readonly #location: Pkcs11KeyLocation;
  readonly #keyName: string;
  readonly #acquired: AcquiredModule;
  #session: Buffer | undefined;
  #key: Buffer | undefined;
  /** The session's current operation: the next one starts when it settles. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(api: Pkcs11Api, location: Pkcs11KeyLocation, keyName: string) {
    this.#api = api;
    this.#location = location;
    this.#keyName = keyName;
    this.#acquired = acquireModule(api, location.modulePath);
  }

  #slot(): Buffer {
    const { module } = this.#acquired;
    const slots = module.C_GetSlotList(true);
    const slot = this.#location.slotId !== ''
      ? slots.find((candidate) => ulong(candidate) === Number(this.#location.slotId))
      : slots.find((candidate) => module.C_GetTokenInfo(candidate).label.trim() === this.#location.tokenLabel);
    if (slot === undefined) throw new ReposignError('KEY_NOT_FOUND', `${this.#keyName}: no token is present in that slot or with that label.`);
    return slot;
  }

  /** The logged-in session and the private key's handle, opened on first use and after an outage. */
  #open(): { session: Buffer; key: Buffer } {
    if (this.#session !== undefined && this.#key !== undefined) return { session: this.#session, key: this.#key };
    const api = this.#api;
    const { module } = this.#acquired;
    const session = module.C_OpenSession(this.#slot(), api.CKF_SERIAL_SESSION);
    try {
      try {
        module.C_Login(session, api.CKU_USER, this.#location.pin);
      } catch (error) {
        if (!(error instanceof Error && error.message === 'CKR_USER_ALREADY_LOGGED_IN')) throw error;
      }
      const template = [
        { type: api.CKA_CLASS, value: api.CKO_PRIVATE_KEY },
        this.#location.keyLabel !== '' ? { type: api.CKA_LABEL, value: this.#location.keyLabel } : { type: api.CKA_ID, value: Buffer.from(this.#location.keyId, 'hex') },
      ];
      module.C_FindObjectsInit(session, template);
      const found = module.C_FindObjects(session, 2);
      module.C_FindObjectsFinal(session);
      if (found.length === 0) throw new ReposignError('KEY_NOT_FOUND', `${this.#keyName}: the token has no private key with that ${this.#location.keyLabel !== '' ? 'label' : 'id'}.`);
      if (found.length > 1) throw new ReposignError('KEY_LOAD_FAILED', `${this.#keyName}: the token has several private keys with that ${this.#location.keyLabel !== '' ? 'label' : 'id'}; name the key by a unique one.`);
      this.#session = session;
      this.#key = found[0];
      return { session, key: found[0] };
    } catch (error) {
      module.C_CloseSession(session);
      throw error;
    }
  }

  /** Runs `operation` on the session after the current one; an outage drops the session so the next call reopens it. */
  #serial<T>(operation: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const run = this.#queue.then(async () => {
      signal.throwIfAborted();
      try {
        return await operation();
      } catch (error) {
        if (classifyPkcs11Error(error, this.#keyName) === 'unavailable') this.#dropSession();
        throw error;
      }
    });
    this.#queue = run.catch(() => undefined);
    return Promise.race([run, rejectOnAbort(signal)]);
  }

  #dropSession(): void {
    const session = this.#session;
    this.#session = undefined;
    this.#key = undefined;
    if (session === undefined) return;
    try {
      this.#acquired.module.C_CloseSession(session);
    } catch {
      // The session is gone already (device removed): nothing to release.
    }
  }

  publicKey(signal: AbortSignal): Promise<Uint8Array> {
    return this.#serial(async () => {
      const api = this.#api;
      const { session, key } = this.#open();
      const [type] = this.#acquired.module.C_GetAttributeValue(session, key, [{ type: api.CKA_KEY_TYPE }]);
      const keyType = ulong(type.value);
      if (keyType !== api.CKK_RSA) throw unsupportedKeyType(this.#keyName, keyType === api.CKK_EC ? 'ec' : `PKCS#11 key type ${keyType}`);
      const [modulus, exponent] = this.#acquired.module.C_GetAttributeValue(session, key, [{ type: api.CKA_MODULUS }, { type: api.CKA_PUBLIC_EXPONENT }]);
      const jwk = { kty: 'RSA', n: (modulus.value).toString('base64url'), e: (exponent.value).toString('base64url') };
      return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    }, signal);
  }

  signDigest(digest: Uint8Array, hash: HashAlgorithmName, signal: AbortSignal): Promise<Uint8Array> {
    const input = Buffer.from(digestInfo(hash, digest));
    return this.#serial(async () => {
      const { session, key } = this.#open();
      const module = this.#acquired.module;
      module.C_SignInit(session, { mechanism: this.#api.CKM_RSA_PKCS }, key);
      return new Promise<Uint8Array>((resolve, reject) => {
        // The callback form runs the private-key operation off the event loop.
        module.C_Sign(session, input, Buffer.alloc(1024), (error, signature) => (error ? reject(error) : resolve(signature)));
      });
    }, signal);
  }

  async close(): Promise<void> {
    await this.#queue;
    this.#dropSession();
    this.#acquired.release();
  }
}
