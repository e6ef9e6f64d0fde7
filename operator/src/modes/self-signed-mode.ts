// SPDX-License-Identifier: MIT
// SelfSigned: the operator generates the key and a code-signing certificate through the signing
// engine and keeps them in its own Secret (spec.secretName); the previous revision is kept as a
// retired copy until pruned. The signer-service gets the pair as a StoredCertificate.

import { certificatesFromPem, generateSelfSignedCertificate, type HashAlgorithmName } from '@reposign/signing';
import { FINGERPRINT_ANNOTATION } from '../api/v1alpha1/names.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import { isAlreadyExists } from '../kube/kube-api-error.js';
import { SECRETS } from '../kube/resources.js';
import { keySecret, readPemPair, retiredKeySecretName, revisionOf, type PemPair } from '../objects/key-secret.js';
import { mountedFile } from '../objects/signer-config-secret.js';
import { parseDuration } from '../reconcile/time.js';
import { certificateFacts } from './key-material.js';
import { distinguishedName } from './distinguished-name.js';
import type { IssueAction, ModeContext, ModeHandler, ModeState } from './mode-handler.js';

const VALID: ModeState['provider'] = { ready: true, reason: 'Valid', message: 'The operator generates the key and certificate itself' };

/** Back-dates notBefore so that clocks slightly behind still accept a fresh certificate (NU3017). */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

const HASHES: Readonly<Record<string, HashAlgorithmName>> = { SHA256WithRSA: 'SHA256', SHA384WithRSA: 'SHA384', SHA512WithRSA: 'SHA512' };

function secretNameOf(signer: RepositorySigner): string {
  const name = signer.spec.secretName;
  if (name === undefined) throw new Error('spec.secretName is required in mode SelfSigned');
  return name;
}

/** The signer-service configuration for a PEM pair: StoredCertificate on the mounted files. */
export function pemSignerConfig(pair: PemPair, mountPath: string): NonNullable<ModeState['signerConfig']> {
  return {
    signing: { Mode: 'StoredCertificate', StoredCertificate: { FilePath: mountedFile(mountPath, 'tls.crt'), KeyFilePath: mountedFile(mountPath, 'tls.key') } },
    files: { 'tls.crt': Buffer.from(pair.certificatePem), 'tls.key': Buffer.from(pair.privateKeyPem) },
  };
}

async function gather(signer: RepositorySigner, context: ModeContext, mountPath: string): Promise<ModeState> {
  const name = secretNameOf(signer);
  const secret = await context.secret(signer.metadata.namespace, name);
  if (secret === undefined) return { material: { state: 'Missing', detail: `Secret ${name} does not exist yet` }, provider: VALID };
  const pair = readPemPair(secret);
  if (pair === undefined) return { material: { state: 'Invalid', detail: `Secret ${name} lacks tls.crt or tls.key` }, provider: VALID };
  try {
    const der = await context.inspector.inspect({ certificate: Buffer.from(pair.certificatePem), privateKey: Buffer.from(pair.privateKeyPem) });
    return { material: { state: 'Valid', certificate: certificateFacts(der) }, provider: VALID, signerConfig: pemSignerConfig(pair, mountPath), certificatePem: pair.certificatePem };
  } catch (error) {
    return { material: { state: 'Invalid', detail: `Secret ${name}: ${error instanceof Error ? error.message : String(error)}` }, provider: VALID };
  }
}

/**
 * Issues revision `action.revision`: keeps the current pair as a retired copy, then writes the new
 * one into the key Secret. A crash between the two leaves the old certificate active and the copy
 * in place, so the retry makes exactly one new certificate.
 */
async function issue(signer: RepositorySigner, action: IssueAction, context: ModeContext): Promise<void> {
  const name = secretNameOf(signer);
  const namespace = signer.metadata.namespace;
  const current = await context.secret(namespace, name);
  const currentPair = current === undefined ? undefined : readPemPair(current);
  const now = context.clock.now();
  const generated = await generateSelfSignedCertificate({
    subject: distinguishedName(signer, action.request.subject),
    keyBits: action.request.keySize as 2048 | 3072 | 4096,
    hashAlgorithm: HASHES[action.request.signatureAlgorithm] ?? 'SHA256',
    notBefore: new Date(now - CLOCK_SKEW_MS),
    notAfter: new Date(now + parseDuration(action.request.duration)),
    ...(action.newPrivateKey || currentPair === undefined ? {} : { privateKeyPem: currentPair.privateKeyPem }),
  });
  const [leaf] = certificatesFromPem(generated.certificatePem);
  if (leaf === undefined) throw new Error('the engine generated no certificate');
  const facts = certificateFacts(leaf);
  const revision = { revision: action.revision, fingerprint: facts.fingerprintSha256 };
  if (current !== undefined && currentPair !== undefined) {
    const previous = revisionOf(current) ?? action.revision - 1;
    const retired = keySecret(signer, retiredKeySecretName(name, previous), 'retired-key', currentPair, {
      revision: previous,
      fingerprint: current.metadata?.annotations?.[FINGERPRINT_ANNOTATION] ?? '',
    });
    await context.client.create(SECRETS, retired).catch((error: unknown) => {
      if (!isAlreadyExists(error)) throw error;
    });
  }
  const next = keySecret(signer, name, 'key', generated, revision);
  if (current === undefined) await context.client.create(SECRETS, next);
  else await context.client.replace(SECRETS, { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata?.resourceVersion } });
}

/** The SelfSigned mode. */
export const selfSignedMode: ModeHandler = { gather, issue };
