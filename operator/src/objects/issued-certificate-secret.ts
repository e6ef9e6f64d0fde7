// SPDX-License-Identifier: MIT
// The operator-owned Secret holding a certificate the operator had a remote key (KMS, HSM) sign
// after a rotation request or at its renewal time: `tls.crt` only, since the key never leaves the
// vault. Without it a key-only mode uses the engine's own self-issued certificate of the key.

import { FINGERPRINT_ANNOTATION, REVISION_ANNOTATION } from '../api/v1alpha1/names.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { SecretObject } from '../kube/kube-object.js';
import { ownedLabels, ownerReference } from './labels.js';

/** The Secret's key holding the PEM certificate. */
export const ISSUED_CERTIFICATE_KEY = 'tls.crt';

/** The name of `signer`'s issued-certificate Secret. */
export function issuedCertificateSecretName(signer: RepositorySigner): string {
  return `${signer.metadata.name}-issued-certificate`;
}

/** The issued-certificate Secret holding `certificatePem`, revision and fingerprint annotated. */
export function issuedCertificateSecret(signer: RepositorySigner, certificatePem: string, certificate: { readonly revision: number; readonly fingerprint: string }): SecretObject {
  return {
    metadata: {
      name: issuedCertificateSecretName(signer),
      namespace: signer.metadata.namespace,
      labels: ownedLabels(signer, 'issued-certificate'),
      annotations: { [REVISION_ANNOTATION]: String(certificate.revision), [FINGERPRINT_ANNOTATION]: certificate.fingerprint },
      ownerReferences: [ownerReference(signer)],
    },
    type: 'Opaque',
    data: { [ISSUED_CERTIFICATE_KEY]: Buffer.from(certificatePem).toString('base64') },
  };
}

/** The PEM certificate an issued-certificate Secret holds, if any. */
export function readIssuedCertificate(secret: SecretObject | undefined): string | undefined {
  const value = secret?.data?.[ISSUED_CERTIFICATE_KEY];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}
