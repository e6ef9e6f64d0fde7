// SPDX-License-Identifier: MIT
// The signer-service's signing configuration as the operator writes it: one Secret with a stable
// name that the signer-service Deployment mounts as files. It holds a configuration file in the
// feed's own `Signing` schema, the files that configuration names (key material, never for the
// cloud and HSM modes), and every published certificate, so one `..data` swap changes them together.

import { FINGERPRINT_ANNOTATION, REVISION_ANNOTATION } from '../api/v1alpha1/names.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { SecretObject } from '../kube/kube-object.js';
import { ownedLabels, ownerReference } from './labels.js';

/** Where the signer-service mounts the Secret unless the RepositorySigner says otherwise. */
export const DEFAULT_SIGNER_CONFIG_MOUNT_PATH = '/etc/reposign/signing';

/** The configuration file's key; the Deployment sets `REPOSIGN_CONFIG=<mountPath>/reposign.json`. */
export const CONFIG_FILE_KEY = 'reposign.json';

/** Every published certificate, PEM; the feed lists each in its repository-signatures index. */
export const PUBLISHED_KEY = 'published.pem';

/** What the signer-service is configured with. */
export interface SignerConfigContent {
  /** The `Signing` section, minus PublishedCertificatesPath; paths in it name keys of `files` under `mountPath`. */
  readonly signing: Readonly<Record<string, unknown>>;
  /** Secret keys and their content (key material for the file-based modes). */
  readonly files: Readonly<Record<string, Uint8Array>>;
  readonly publishedPem: string;
  readonly fingerprint: string;
  readonly revision: number;
}

/** The absolute path of Secret key `key` mounted at `mountPath`. */
export function mountedFile(mountPath: string, key: string): string {
  return `${mountPath.replace(/\/$/, '')}/${key}`;
}

/** The signer configuration Secret `name` for `content`, mounted at `mountPath`. */
export function signerConfigSecret(signer: RepositorySigner, name: string, mountPath: string, content: SignerConfigContent): SecretObject {
  const config = { Signing: { ...content.signing, PublishedCertificatesPath: mountedFile(mountPath, PUBLISHED_KEY) } };
  const data: Record<string, string> = {
    [CONFIG_FILE_KEY]: Buffer.from(`${JSON.stringify(config, null, 2)}\n`).toString('base64'),
    [PUBLISHED_KEY]: Buffer.from(content.publishedPem).toString('base64'),
  };
  for (const [key, bytes] of Object.entries(content.files)) data[key] = Buffer.from(bytes).toString('base64');
  return {
    metadata: {
      name,
      namespace: signer.metadata.namespace,
      labels: ownedLabels(signer, 'signer-config'),
      annotations: { [REVISION_ANNOTATION]: String(content.revision), [FINGERPRINT_ANNOTATION]: content.fingerprint },
      ownerReferences: [ownerReference(signer)],
    },
    type: 'Opaque',
    data,
  };
}

/** The fingerprint a signer configuration Secret configures. */
export function configuredFingerprint(secret: SecretObject | undefined): string | undefined {
  return secret?.metadata?.annotations?.[FINGERPRINT_ANNOTATION];
}
