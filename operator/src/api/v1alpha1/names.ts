// SPDX-License-Identifier: MIT
// The names of the RepositorySigner API: group, version, kind, and the annotation, finalizer, labels
// and field manager the operator puts on the objects it touches.

/** The API group of every reposign custom resource. */
export const GROUP = 'reposign.dev';

/** The one served and stored version. */
export const VERSION = 'v1alpha1';

/** `apiVersion` of a RepositorySigner object. */
export const API_VERSION = `${GROUP}/${VERSION}`;

/** The custom resource kind. */
export const KIND = 'RepositorySigner';

/** The plural resource name used in URLs (`/apis/reposign.dev/v1alpha1/namespaces/{ns}/repositorysigners`). */
export const PLURAL = 'repositorysigners';

/** The singular resource name `kubectl` accepts. */
export const SINGULAR = 'repositorysigner';

/** The short name: `kubectl get rsig`. */
export const SHORT_NAME = 'rsig';

/** The category: `kubectl get reposign` lists every reposign resource. */
export const CATEGORY = 'reposign';

/**
 * Annotation on a RepositorySigner that requests one rotation: any new value triggers exactly one
 * re-issuance, bypassing the failure back-off once; the handled value is echoed in
 * `status.lastHandledRotationRequest`. Git can express it, unlike a status edit.
 */
export const ROTATE_ANNOTATION = `${GROUP}/rotate`;

/** Finalizer that lets the operator delete the Secrets it owns before the RepositorySigner goes; published records stay. */
export const FINALIZER = `${GROUP}/cleanup`;

/** Label on every object the operator creates, naming the RepositorySigner it belongs to. */
export const SIGNER_LABEL = `${GROUP}/repository-signer`;

/** Label on every object the operator creates; informers filter on it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** The value of {@link MANAGED_BY_LABEL} and the field manager of every write the operator makes. */
export const FIELD_MANAGER = 'reposign-operator';

/** Annotation on key and config Secrets: the revision of the certificate they hold. */
export const REVISION_ANNOTATION = `${GROUP}/revision`;

/** Annotation on key and config Secrets: the SHA-256 fingerprint of the certificate they hold. */
export const FINGERPRINT_ANNOTATION = `${GROUP}/certificate-fingerprint`;
