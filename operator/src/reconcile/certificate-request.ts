// SPDX-License-Identifier: MIT
// What the spec asks of the certificate, with the operator's defaults applied: the issuance request
// and the expectations the spec-mismatch policy compares with.

import { DEFAULT_DURATION, DEFAULT_KEY_SIZE, DEFAULT_ROTATION_POLICY, DEFAULT_SIGNATURE_ALGORITHM } from '../api/v1alpha1/defaults.js';
import type { RepositorySignerSpec } from '../api/v1alpha1/spec.js';
import type { CertificateRequest } from './actions.js';
import type { Material } from './observed.js';
import type { ExpectedCertificate } from './trigger.js';

/** The certificate an issuance for `spec` must produce. */
export function certificateRequest(spec: RepositorySignerSpec): CertificateRequest {
  const certificate = spec.certificate;
  return {
    subject: certificate?.subject,
    duration: certificate?.duration ?? DEFAULT_DURATION,
    keySize: certificate?.privateKey?.size ?? DEFAULT_KEY_SIZE,
    signatureAlgorithm: certificate?.signatureAlgorithm ?? DEFAULT_SIGNATURE_ALGORITHM,
  };
}

/** What a certificate the operator made for `spec` must match. */
export function expectedCertificate(spec: RepositorySignerSpec): ExpectedCertificate {
  const request = certificateRequest(spec);
  return {
    subject: request.subject,
    keyAlgorithm: spec.certificate?.privateKey?.algorithm ?? 'RSA',
    keySize: request.keySize,
    signatureAlgorithm: request.signatureAlgorithm,
  };
}

/** Whether the next issuance needs a new key: rotationPolicy Always, no usable key, or a key that no longer matches the spec. */
export function needsNewPrivateKey(spec: RepositorySignerSpec, material: Material): boolean {
  if ((spec.certificate?.privateKey?.rotationPolicy ?? DEFAULT_ROTATION_POLICY) === 'Always') return true;
  if (material.state !== 'Valid') return true;
  const expected = expectedCertificate(spec);
  return material.certificate.keyAlgorithm !== expected.keyAlgorithm || material.certificate.keySize !== expected.keySize;
}
