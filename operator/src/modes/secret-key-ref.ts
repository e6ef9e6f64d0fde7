// SPDX-License-Identifier: MIT
// `{name, key}` references to a key of a Secret in the RepositorySigner's namespace, as the CRD's
// `*SecretRef` fields hold them, and reading the bytes one names.

import type { SecretObject } from '../kube/kube-object.js';
import type { ModeContext } from './mode-handler.js';

/** A `{name, key}` reference to a key of a Secret in the signer's namespace. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** True when `value` is a `{name, key}` reference. */
export function isSecretKeyRef(value: unknown): value is SecretKeyRef {
  return typeof value === 'object' && value !== null && typeof (value as SecretKeyRef).name === 'string' && typeof (value as SecretKeyRef).key === 'string';
}

/** The bytes a reference names, or a sentence saying why there are none. */
export async function readSecretKey(context: ModeContext, namespace: string, ref: SecretKeyRef): Promise<Uint8Array | string> {
  const secret: SecretObject | undefined = await context.secret(namespace, ref.name);
  if (secret === undefined) return `Secret ${ref.name} does not exist`;
  const value = secret.data?.[ref.key];
  if (value === undefined) return `Secret ${ref.name} has no key ${ref.key}`;
  return Buffer.from(value, 'base64');
}

/** A secret value as text: UTF-8 without the one trailing newline `echo` and editors add. */
export function secretText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8').replace(/\r?\n$/, '');
}
