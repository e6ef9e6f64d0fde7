// SPDX-License-Identifier: MIT
// What a reconcile pass gathered before deciding: the RepositorySigner and facts about the key
// material, the provider, the published records and the Secrets the operator owns. Plain data, no I/O.

import type { ProviderReason } from '../api/v1alpha1/conditions.js';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import type { CertificateRecord } from '../certificate-record.js';

/** The subject attributes of a certificate, in the CRD's names. */
export interface SubjectAttributes {
  readonly commonName?: string;
  readonly organizations?: readonly string[];
  readonly organizationalUnits?: readonly string[];
  readonly countries?: readonly string[];
  readonly localities?: readonly string[];
  readonly provinces?: readonly string[];
}

/** A parsed certificate: its published record plus what the spec can be compared with. */
export interface CertificateFacts extends CertificateRecord {
  readonly subjectAttributes: SubjectAttributes;
  readonly keyAlgorithm: string;
  readonly keySize: number;
  /** In the CRD's naming: `SHA256WithRSA`, `SHA384WithRSA`, `SHA512WithRSA`. */
  readonly signatureAlgorithm: string;
}

/**
 * The active key material: the key Secret (SelfSigned), the user's Secret (StoredCertificate) or
 * what the provider returned (other modes). `Valid` means parsed, key and certificate match and
 * the engine's certificate policy accepts it apart from its validity period, which the core checks
 * against its clock.
 */
export type Material =
  | { readonly state: 'Missing'; readonly detail: string }
  | { readonly state: 'Invalid'; readonly detail: string }
  | {
      readonly state: 'Valid';
      readonly certificate: CertificateFacts;
      /** The provider-side version the certificate came from (cloud and PKCS#11 modes). */
      readonly providerVersion?: string;
    };

/** The provider's verdict on configuration and access (ESO SecretStore style). */
export interface ProviderVerdict {
  readonly ready: boolean;
  readonly reason: (typeof ProviderReason)[keyof typeof ProviderReason];
  readonly message: string;
  /** The provider's current key or certificate version (cloud and PKCS#11 modes); the material may hold an older one. */
  readonly currentVersion?: string;
}

/** A Secret the operator owns for this RepositorySigner, by role. */
export interface OwnedSecret {
  readonly name: string;
  readonly role: 'Key' | 'RetiredKey' | 'SignerConfig';
  /** The certificate revision it holds (Key and RetiredKey). */
  readonly revision?: number;
}

/** Everything one decision looks at. */
export interface Observed {
  readonly signer: RepositorySigner;
  readonly material: Material;
  readonly provider: ProviderVerdict;
  /** Fingerprints listed in the records ConfigMap; empty when it does not exist. */
  readonly publishedFingerprints: readonly string[];
  /** The fingerprint the signer-service configuration Secret carries; absent when there is none. */
  readonly signerConfigFingerprint?: string;
  readonly ownedSecrets: readonly OwnedSecret[];
}

/** The verdict for a mode whose provider the signing engine does not have yet: ProviderReady=False, NotImplemented. */
export function providerNotImplemented(mode: string): ProviderVerdict {
  return { ready: false, reason: 'NotImplemented', message: `The signing engine has no ${mode} provider yet; no certificate can be obtained in this mode` };
}
