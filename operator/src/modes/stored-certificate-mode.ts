// SPDX-License-Identifier: MIT
// StoredCertificate: the user's Secret holds the certificate (a PFX, or PEM such as a cert-manager
// Certificate's tls.crt with tls.key) and the operator never changes it. It is read by name on
// every pass, and re-read periodically, since a replaced Secret is the user's way to rotate.

import { certificateToPem } from '@reposign/signing';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import { mountedFile } from '../objects/signer-config-secret.js';
import { certificateFacts } from './key-material.js';
import type { ModeContext, ModeHandler, ModeState } from './mode-handler.js';
import { isSecretKeyRef as isRef, readSecretKey as read, secretText, type SecretKeyRef } from './secret-key-ref.js';

/** How often a user's Secret is read again without any watch event. */
export const USER_SECRET_RECHECK_MS = 60_000;

/** The storedCertificate block of the spec. */
interface StoredCertificateBlock {
  readonly fileSecretRef?: SecretKeyRef;
  readonly keyFileSecretRef?: SecretKeyRef;
  readonly passwordSecretRef?: SecretKeyRef;
}

function blockOf(signer: RepositorySigner): StoredCertificateBlock {
  const block = signer.spec['storedCertificate'];
  if (typeof block !== 'object' || block === null) return {};
  const { fileSecretRef, keyFileSecretRef, passwordSecretRef } = block as Record<string, unknown>;
  return {
    ...(isRef(fileSecretRef) ? { fileSecretRef } : {}),
    ...(isRef(keyFileSecretRef) ? { keyFileSecretRef } : {}),
    ...(isRef(passwordSecretRef) ? { passwordSecretRef } : {}),
  };
}

async function gather(signer: RepositorySigner, context: ModeContext, mountPath: string): Promise<ModeState> {
  const namespace = signer.metadata.namespace;
  const block = blockOf(signer);
  const recheck = { recheckAfterMs: USER_SECRET_RECHECK_MS };
  const invalidConfig = (message: string): ModeState => ({
    material: { state: 'Missing', detail: message },
    provider: { ready: false, reason: 'InvalidProviderConfig', message },
    ...recheck,
  });
  if (block.fileSecretRef === undefined) return invalidConfig('spec.storedCertificate.fileSecretRef names no Secret key');
  const certificate = await read(context, namespace, block.fileSecretRef);
  if (typeof certificate === 'string') return invalidConfig(certificate);
  const privateKey = block.keyFileSecretRef === undefined ? undefined : await read(context, namespace, block.keyFileSecretRef);
  if (typeof privateKey === 'string') return invalidConfig(privateKey);
  const passwordBytes = block.passwordSecretRef === undefined ? undefined : await read(context, namespace, block.passwordSecretRef);
  if (typeof passwordBytes === 'string') return invalidConfig(passwordBytes);
  const password = passwordBytes === undefined ? undefined : secretText(passwordBytes);
  const provider: ModeState['provider'] = { ready: true, reason: 'Valid', message: `Secret ${block.fileSecretRef.name} is readable` };
  try {
    const der = await context.inspector.inspect({ certificate, ...(privateKey === undefined ? {} : { privateKey }), ...(password === undefined ? {} : { password }) });
    const files: Record<string, Uint8Array> = { certificate };
    const stored: Record<string, string> = { FilePath: mountedFile(mountPath, 'certificate') };
    if (privateKey !== undefined) {
      files['private-key'] = privateKey;
      stored['KeyFilePath'] = mountedFile(mountPath, 'private-key');
    }
    if (password !== undefined) stored['Password'] = password;
    return {
      material: { state: 'Valid', certificate: certificateFacts(der) },
      provider,
      signerConfig: { signing: { Mode: 'StoredCertificate', StoredCertificate: stored }, files },
      certificatePem: certificateToPem(der),
      ...recheck,
    };
  } catch (error) {
    return { material: { state: 'Invalid', detail: `Secret ${block.fileSecretRef.name}: ${error instanceof Error ? error.message : String(error)}` }, provider, ...recheck };
  }
}

/** The StoredCertificate mode: the operator only reads, validates, publishes and configures. */
export const storedCertificateMode: ModeHandler = { gather };
