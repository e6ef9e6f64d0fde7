// SPDX-License-Identifier: MIT
// The conditions a RepositorySigner reports and the PascalCase reasons each may carry. Event
// reasons reuse them.

import { Type, type Static } from 'typebox';

import { stringEnum, timestamp } from './openapi.js';

/** The condition types, in the order status lists them. */
export const CONDITION_TYPES = ['Ready', 'Issuing', 'ProviderReady', 'Published', 'SignerServiceSynced'] as const;

/** A condition type. */
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** A condition's status. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Reasons of `Ready`: the summary Argo CD, Flux and `kubectl wait --for=condition=Ready` read. */
export const ReadyReason = {
  Ready: 'Ready',
  Suspended: 'Suspended',
  ProviderNotReady: 'ProviderNotReady',
  MaterialMissing: 'MaterialMissing',
  InvalidCertificate: 'InvalidCertificate',
  Issuing: 'Issuing',
  Expiring: 'Expiring',
  Expired: 'Expired',
  NotPublished: 'NotPublished',
  SignerServiceNotSynced: 'SignerServiceNotSynced',
} as const;

/**
 * Reasons of `Issuing`. While True the reason is the trigger that started the issuance; every
 * other trigger waits until it is False again, which is what keeps issuance from looping.
 */
export const IssuingReason = {
  MaterialMissing: 'MaterialMissing',
  InvalidCertificate: 'InvalidCertificate',
  SpecMismatch: 'SpecMismatch',
  ProviderVersionChanged: 'ProviderVersionChanged',
  RotationRequested: 'RotationRequested',
  Renewing: 'Renewing',
  Issued: 'Issued',
  WaitingForProvider: 'WaitingForProvider',
  Failed: 'Failed',
  BackingOff: 'BackingOff',
  UserManaged: 'UserManaged',
} as const;

/** Reasons of `ProviderReady` (external-secrets' SecretStore verdicts). */
export const ProviderReason = {
  Valid: 'Valid',
  InvalidProviderConfig: 'InvalidProviderConfig',
  AuthenticationFailed: 'AuthenticationFailed',
  Unreachable: 'Unreachable',
  /** The vault or HSM refused the credentials' access to the key (the engine's KEY_ACCESS_DENIED). */
  AccessDenied: 'AccessDenied',
  /** The key or its certificate cannot make NuGet signatures; the message names the engine code (and NU code). */
  KeyRejected: 'KeyRejected',
  NotImplemented: 'NotImplemented',
} as const;

/** Reasons of `Published`. */
export const PublishedReason = {
  Published: 'Published',
  PublishPending: 'PublishPending',
  NothingToPublish: 'NothingToPublish',
} as const;

/** Reasons of `SignerServiceSynced`. */
export const SignerServiceReason = {
  ConfigWritten: 'ConfigWritten',
  ConfigOutdated: 'ConfigOutdated',
  NothingToConfigure: 'NothingToConfigure',
} as const;

/** A condition as `metav1.Condition` defines it (with `observedGeneration`). */
export const ConditionSchema = Type.Object({
  type: stringEnum(CONDITION_TYPES, { description: 'Type of the condition.' }),
  status: stringEnum(['True', 'False', 'Unknown'], { description: 'Status of the condition.' }),
  reason: Type.String({ description: 'PascalCase reason of the last transition.', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
  message: Type.String({ description: 'Human-readable detail of the last transition.', maxLength: 32768 }),
  observedGeneration: Type.Integer({ description: 'metadata.generation the condition was computed from.', minimum: 0 }),
  lastTransitionTime: timestamp('When the status last changed.'),
});

/** A condition of a RepositorySigner. */
export type Condition = Static<typeof ConditionSchema>;
