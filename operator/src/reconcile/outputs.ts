// SPDX-License-Identifier: MIT
// Publishing and signer-service configuration: the active certificate is appended to the records
// first, and only a published certificate is handed to the signer-service, so no client ever sees
// a signature from an unlisted certificate.

import { PublishedReason, SignerServiceReason } from '../api/v1alpha1/conditions.js';
import { defaultRecordsConfigMapName, defaultSignerConfigSecretName } from '../api/v1alpha1/defaults.js';
import type { Action } from './actions.js';
import { isUsable, type ActiveCertificate } from './active-certificate.js';
import type { ConditionUpdate } from './conditions.js';
import type { Observed } from './observed.js';

/** The Published and SignerServiceSynced conditions and the writes that bring them to True. */
export interface OutputsPart {
  readonly published: ConditionUpdate;
  readonly synced: ConditionUpdate;
  readonly actions: Action[];
}

/** Decides publishing and configuration for the active certificate; an unusable one is neither published nor configured. */
export function outputs(observed: Observed, active: ActiveCertificate | undefined, now: number): OutputsPart {
  const { signer } = observed;
  const configMapName = signer.spec.publish?.configMapName ?? defaultRecordsConfigMapName(signer.metadata.name);
  const secretName = signer.spec.signerService?.configSecretName ?? defaultSignerConfigSecretName(signer.metadata.name);
  if (!active) {
    return {
      published: { type: 'Published', status: 'False', reason: PublishedReason.NothingToPublish, message: 'No usable certificate to publish yet' },
      synced: { type: 'SignerServiceSynced', status: 'False', reason: SignerServiceReason.NothingToConfigure, message: 'No usable certificate to configure yet' },
      actions: [],
    };
  }
  const fingerprint = active.facts.fingerprintSha256;
  const short = fingerprint.slice(0, 12);
  const isPublished = observed.publishedFingerprints.includes(fingerprint);
  const isSynced = observed.signerConfigFingerprint === fingerprint;
  const usable = isUsable(active, now);
  const actions: Action[] = [];
  if (usable && !isPublished) actions.push({ kind: 'PublishRecords', configMapName, records: [{ ...recordOf(active), revision: active.revision }] });
  if (usable && isPublished && !isSynced) actions.push({ kind: 'WriteSignerConfig', secretName, fingerprint, revision: active.revision });
  return {
    published: isPublished
      ? { type: 'Published', status: 'True', reason: PublishedReason.Published, message: `Certificate ${short} is listed in ConfigMap ${configMapName} with ${observed.publishedFingerprints.length} record(s)` }
      : { type: 'Published', status: 'False', reason: PublishedReason.PublishPending, message: `Certificate ${short} is not yet listed in ConfigMap ${configMapName}` },
    synced: isSynced
      ? { type: 'SignerServiceSynced', status: 'True', reason: SignerServiceReason.ConfigWritten, message: `Secret ${secretName} configures certificate ${short}` }
      : {
          type: 'SignerServiceSynced',
          status: 'False',
          reason: SignerServiceReason.ConfigOutdated,
          message: `Secret ${secretName} does not configure certificate ${short} yet${isPublished ? '' : ' (it is published first)'}`,
        },
    actions,
  };
}

function recordOf(active: ActiveCertificate): Omit<ActiveCertificate['facts'], 'subjectAttributes' | 'keyAlgorithm' | 'keySize' | 'signatureAlgorithm'> {
  const { fingerprintSha256, subject, issuer, serialNumber, notBefore, notAfter } = active.facts;
  return { fingerprintSha256, subject, issuer, serialNumber, notBefore, notAfter };
}
