// SPDX-License-Identifier: MIT
// The writes a decision asks for, as plain data. The reconcilers execute them in order and stop at
// the first failure; every action is idempotent, so repeating a pass is safe.

import type { SubjectAttributes } from './observed.js';
import type { CertificateRecord } from '../certificate-record.js';

/** The certificate an issuance must produce, with the operator's defaults applied. */
export interface CertificateRequest {
  readonly subject?: SubjectAttributes;
  /** As written in the spec, or the default. */
  readonly duration: string;
  readonly keySize: number;
  readonly signatureAlgorithm: string;
}

/** A published record: the certificate and the revision it was active as. */
export interface PublishedRecord extends CertificateRecord {
  readonly revision: number;
}

/** One action of a decision. */
export type Action =
  | { readonly kind: 'AddFinalizer' }
  | { readonly kind: 'RemoveFinalizer' }
  /** Deletes owned Secrets on deletion; records are never deleted. */
  | { readonly kind: 'DeleteOwnedSecrets'; readonly names: readonly string[] }
  /**
   * Produces revision `revision`: SelfSigned writes key and certificate to `secretName`, other
   * modes obtain the certificate through the provider and keep no private key in Kubernetes.
   * Idempotent per revision: a restart in the middle must not make a second certificate.
   * On failure call `recordIssuanceFailure`.
   */
  | {
      readonly kind: 'IssueCertificate';
      readonly mode: string;
      readonly reason: string;
      readonly revision: number;
      readonly newPrivateKey: boolean;
      readonly secretName?: string;
      readonly request: CertificateRequest;
    }
  /** Appends records to the ConfigMap; existing records stay (NuGet's list is append-only). */
  | { readonly kind: 'PublishRecords'; readonly configMapName: string; readonly records: readonly PublishedRecord[] }
  /** Writes the signer-service's signing configuration for the active certificate. */
  | { readonly kind: 'WriteSignerConfig'; readonly secretName: string; readonly fingerprint: string; readonly revision: number }
  /** Deletes retired private-key Secrets beyond revisionHistoryLimit. */
  | { readonly kind: 'PruneKeySecrets'; readonly names: readonly string[] }
  | { readonly kind: 'EmitEvent'; readonly type: 'Normal' | 'Warning'; readonly reason: string; readonly message: string };
