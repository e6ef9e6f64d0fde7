// SPDX-License-Identifier: MIT
// API failures as `metav1.Status` objects with the reason/code pairs and messages of the real server.

import { aggregateText, fieldErrorBody, type FieldError } from './field-errors.js';
import type { JsonObject } from './json-value.js';

/** `metav1.StatusCause`; note the JSON name `reason` for the cause type. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `metav1.StatusDetails`. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A group plus a resource (plural) or kind, rendered "resource.group" or just "resource" for core. */
export interface GroupName {
  group: string;
  name: string;
}

/** Renders a `schema.GroupResource` or `schema.GroupKind`. */
export function groupNameText(gn: GroupName): string {
  return gn.group === '' ? gn.name : `${gn.name}.${gn.group}`;
}

/** A request failure the fake answers with a `Status` body. */
export class ApiError extends Error {
  /** Builds a failure with HTTP `code`, `reason` and optional details. */
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  /** The `Status` object sent on the wire. */
  toStatus(): JsonObject {
    const status: JsonObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) status.details = this.details;
    return status;
  }
}

/** 404 NotFound: `widgets.example.test "w" not found`. */
export function notFound(resource: GroupName, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${groupNameText(resource)} ${JSON.stringify(name)} not found`, {
    name,
    group: resource.group || undefined,
    kind: resource.name,
  });
}

/** 409 AlreadyExists for a create of an existing name. */
export function alreadyExists(resource: GroupName, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${groupNameText(resource)} ${JSON.stringify(name)} already exists`, {
    name,
    group: resource.group || undefined,
    kind: resource.name,
  });
}

/** 409 Conflict: "Operation cannot be fulfilled on ...: reason". */
export function conflict(resource: GroupName, name: string, reason: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${groupNameText(resource)} ${JSON.stringify(name)}: ${reason}`,
    { name, group: resource.group || undefined, kind: resource.name },
  );
}

/** The reason text of a stale-resourceVersion conflict. */
export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid with one cause per field error, message as `errors.NewInvalid` builds it. */
export function invalid(kind: GroupName, name: string, errors: readonly FieldError[]): ApiError {
  const base = `${groupNameText(kind)} ${JSON.stringify(name)} is invalid`;
  return new ApiError(422, 'Invalid', errors.length === 0 ? base : `${base}: ${aggregateText(errors)}`, {
    name,
    group: kind.group || undefined,
    kind: kind.name,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', message);
}

/** 406 NotAcceptable, as answered to a protobuf-only Accept header. */
export function notAcceptable(): ApiError {
  return new ApiError(406, 'NotAcceptable', 'the server was unable to respond with a content type that the client supports');
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** 410 Expired, for too-old resource versions and continue tokens. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** The generic 404 for paths that name no resource. */
export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** The Status an injected failure answers with, reason picked from the code as the apiserver would. */
export function failureForCode(code: number, message?: string): ApiError {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    410: 'Expired',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  const reason = reasons[code] ?? 'Unknown';
  return new ApiError(code, reason, message ?? `injected failure (${reason})`, code === 429 ? { retryAfterSeconds: 1 } : undefined);
}
