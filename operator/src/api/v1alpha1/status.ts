// SPDX-License-Identifier: MIT
// The schema of `status`: conditions, cert-manager's time and failure fields, the active
// certificate's fingerprint and the echo of the rotate annotation. Only the operator writes it.

import { Type, type Static } from 'typebox';

import { ConditionSchema } from './conditions.js';
import { timestamp } from './openapi.js';

/** Characters of the fingerprint shown in the printer column. */
export const SHORT_FINGERPRINT_LENGTH = 12;

/** The status of a RepositorySigner. */
export const StatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(Type.Integer({ description: 'The metadata.generation this status was computed from.', minimum: 0 })),
    conditions: Type.Optional(
      Type.Array(ConditionSchema, {
        description: 'Ready, Issuing, ProviderReady, Published and SignerServiceSynced.',
        maxItems: 8,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
    notBefore: Type.Optional(timestamp("The active certificate's notBefore.")),
    notAfter: Type.Optional(timestamp("The active certificate's notAfter.")),
    renewalTime: Type.Optional(timestamp('When the next renewal (or, for StoredCertificate, the expiry warning) is due; whole seconds.')),
    revision: Type.Optional(Type.Integer({ description: 'Counts the certificates this signer has made active, starting at 1.', minimum: 1 })),
    fingerprint: Type.Optional(Type.String({ description: "Lowercase hex SHA-256 of the active certificate's DER.", pattern: '^[0-9a-f]{64}$' })),
    shortFingerprint: Type.Optional(
      Type.String({ description: `The first ${SHORT_FINGERPRINT_LENGTH} characters of fingerprint.`, pattern: `^[0-9a-f]{${SHORT_FINGERPRINT_LENGTH}}$` }),
    ),
    subject: Type.Optional(Type.String({ description: "The active certificate's subject.", maxLength: 4096 })),
    providerVersion: Type.Optional(Type.String({ description: 'The provider-side key or certificate version in use (cloud and PKCS#11 modes).', maxLength: 1024 })),
    lastFailureTime: Type.Optional(timestamp('When the last issuance failed.')),
    lastFailureGeneration: Type.Optional(Type.Integer({ description: 'metadata.generation of the last failed issuance; a newer spec skips the back-off.', minimum: 0 })),
    failedIssuanceAttempts: Type.Optional(Type.Integer({ description: 'Consecutive failed issuances; drives the back-off (1h doubling, at most 32h).', minimum: 0 })),
    lastHandledRotationRequest: Type.Optional(Type.String({ description: 'The last value of the reposign.dev/rotate annotation acted upon.', maxLength: 1024 })),
  },
  { description: 'Observed state of a RepositorySigner, written only by the operator through the status subresource.' },
);

/** The status of a RepositorySigner as TypeScript sees it. */
export type RepositorySignerStatus = Static<typeof StatusSchema>;
