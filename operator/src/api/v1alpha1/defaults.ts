// SPDX-License-Identifier: MIT
// The values the operator assumes for fields the user left out. They are never written back into
// `spec`: GitOps tools must see exactly what was committed.

/** `spec.certificate.duration` when absent: one year. */
export const DEFAULT_DURATION = '8760h';

/** `spec.certificate.privateKey.size` when absent: the signer-service's SelfSigned default. */
export const DEFAULT_KEY_SIZE = 4096;

/** `spec.certificate.signatureAlgorithm` when absent. */
export const DEFAULT_SIGNATURE_ALGORITHM = 'SHA256WithRSA';

/** `spec.certificate.privateKey.rotationPolicy` when absent (cert-manager's default since v1.18). */
export const DEFAULT_ROTATION_POLICY = 'Always';

/** `spec.revisionHistoryLimit` when absent: retired private-key Secrets kept. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 1;

/** The ConfigMap of published certificate records when `spec.publish.configMapName` is absent. */
export function defaultRecordsConfigMapName(signerName: string): string {
  return `${signerName}-certificates`;
}

/** The signer-service configuration Secret when `spec.signerService.configSecretName` is absent. */
export function defaultSignerConfigSecretName(signerName: string): string {
  return `${signerName}-signer-config`;
}
