// SPDX-License-Identifier: MIT
// The operator-owned Secret of a SelfSigned RepositorySigner: kubernetes.io/tls (tls.crt, tls.key)
// plus the same pair as a PKCS#12 keystore with its password (keystore.pfx, keystore-password) for
// .NET tools; and the retired copies kept per revision up to revisionHistoryLimit.

import { randomBytes } from 'node:crypto';
import { exportPfx } from '@reposign/signing';
import { FINGERPRINT_ANNOTATION, REVISION_ANNOTATION } from '../api/v1alpha1/names.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { SecretObject } from '../kube/kube-object.js';
import { ownedLabels, ownerReference, type ObjectRole } from './labels.js';

/** PEM key material. */
export interface PemPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** The PKCS#12 keystore (PBES2/AES-256, readable by .NET) and its password. */
export const KEYSTORE_KEY = 'keystore.pfx';
export const KEYSTORE_PASSWORD_KEY = 'keystore-password';

/** The name of the retired copy of revision `revision` of the key Secret `secretName`. */
export function retiredKeySecretName(secretName: string, revision: number): string {
  return `${secretName}-rev${revision}`;
}

/** A key Secret (current or retired) holding `pair`, revision and fingerprint annotated. */
export function keySecret(
  signer: RepositorySigner,
  name: string,
  role: Extract<ObjectRole, 'key' | 'retired-key'>,
  pair: PemPair,
  certificate: { readonly revision: number; readonly fingerprint: string },
): SecretObject {
  const password = randomBytes(24).toString('base64url');
  return {
    metadata: {
      name,
      namespace: signer.metadata.namespace,
      labels: ownedLabels(signer, role),
      annotations: { [REVISION_ANNOTATION]: String(certificate.revision), [FINGERPRINT_ANNOTATION]: certificate.fingerprint },
      ownerReferences: [ownerReference(signer)],
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(pair.certificatePem).toString('base64'),
      'tls.key': Buffer.from(pair.privateKeyPem).toString('base64'),
      [KEYSTORE_KEY]: Buffer.from(exportPfx({ ...pair, password })).toString('base64'),
      [KEYSTORE_PASSWORD_KEY]: Buffer.from(password).toString('base64'),
    },
  };
}

/** The PEM pair a key Secret holds, or undefined when a key is missing. */
export function readPemPair(secret: SecretObject): PemPair | undefined {
  const certificate = secret.data?.['tls.crt'];
  const key = secret.data?.['tls.key'];
  if (certificate === undefined || key === undefined) return undefined;
  return { certificatePem: Buffer.from(certificate, 'base64').toString('utf8'), privateKeyPem: Buffer.from(key, 'base64').toString('utf8') };
}

/** The revision annotated on an owned Secret. */
export function revisionOf(secret: SecretObject): number | undefined {
  const text = secret.metadata?.annotations?.[REVISION_ANNOTATION];
  const revision = text === undefined ? Number.NaN : Number(text);
  return Number.isInteger(revision) ? revision : undefined;
}
