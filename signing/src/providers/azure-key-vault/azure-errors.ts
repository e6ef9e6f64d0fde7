// SPDX-License-Identifier: MIT
// What a failed Key Vault or Entra ID call means for reposign, judged for the key's RemoteCaller:
// throttled or away (retried, then SIGNING_UNAVAILABLE), or a final refusal with the code that names
// the culprit: the credentials or permissions, a missing certificate or key, a disabled key.

import { ReposignError } from '../../errors.js';
import type { RemoteFailure } from '../remote/resilience.js';

/** The fields of an Azure SDK error (RestError, AuthenticationError, CredentialUnavailableError) that decide its meaning. */
interface AzureErrorFields {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly details?: unknown;
  readonly cause?: unknown;
  /** AggregateAuthenticationError: the failure of each credential of a chain (DefaultAzureCredential). */
  readonly errors?: unknown;
  /** AuthenticationError: the token endpoint's OAuth error, whose description its message puts after the first line. */
  readonly errorResponse?: { readonly error?: unknown; readonly errorDescription?: unknown };
}

/** @azure/identity's errors: Entra ID (or the managed identity endpoint) refused the credentials, or none could be obtained. */
const CREDENTIAL_ERRORS = new Set(['AuthenticationError', 'AuthenticationRequiredError', 'CredentialUnavailableError', 'AggregateAuthenticationError']);
/** Socket and DNS failures (ECONNREFUSED, ECONNRESET, ENOTFOUND, ...) and their RestError code. */
const TRANSPORT_CODE = /^(E[A-Z]+|UND_ERR_[A-Z_]+|REQUEST_SEND_ERROR)$/;

function fieldsOf(error: unknown): AzureErrorFields {
  return typeof error === 'object' && error !== null ? error : {};
}

/**
 * The first line of the SDK's message (Entra and Key Vault messages carry trace ids and links after
 * it), the OAuth error and description of a token endpoint's refusal, and for a credential chain,
 * the same of each credential's failure.
 */
function firstLine(error: unknown): string {
  const { message, errors, errorResponse } = fieldsOf(error);
  if (Array.isArray(errors) && errors.length > 0) return errors.map((each) => firstLine(each)).join('; ');
  const description = errorResponse?.errorDescription;
  if (typeof description === 'string' && description !== '') {
    const oauthError = typeof errorResponse?.error === 'string' ? errorResponse.error : 'error';
    return `${oauthError}: ${(description.split('\n')[0] ?? '').trim()}`;
  }
  return typeof message === 'string' ? (message.split('\n')[0] ?? '').trim() : String(error);
}

/** True for an abort (the caller's, or an attempt's timeout): the RemoteCaller judges those itself. */
export function isAbort(error: unknown): boolean {
  return fieldsOf(error).name === 'AbortError';
}

/** The HTTP status of `error`, or of the first error in its cause chain that has one (a credential error wraps the token endpoint's answer). */
function statusOf(error: unknown): number | undefined {
  for (let current = error, depth = 0; current !== undefined && depth < 5; current = fieldsOf(current).cause, depth += 1) {
    const { statusCode } = fieldsOf(current);
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

/** True when Key Vault refused because the key (or certificate) is disabled: 403 with inner error KeyDisabled. */
function isDisabled(error: unknown): boolean {
  const details = fieldsOf(error).details as { error?: { innererror?: { code?: unknown } } } | undefined;
  const inner = details?.error?.innererror?.code;
  return inner === 'KeyDisabled' || inner === 'CertificateDisabled' || /\bdisabled (key|certificate)\b/i.test(firstLine(error));
}

/**
 * Judges a failed Key Vault call made while `action` (e.g. `reading certificate 'x'`): 'throttled'
 * for 429, 'unavailable' for 408, 5xx and transport failures (also when the token endpoint answered
 * so); otherwise the final ReposignError: KEY_ACCESS_DENIED for refused or unobtainable credentials
 * and missing permissions, KEY_LOAD_FAILED for a disabled key, KEY_NOT_FOUND for a missing
 * certificate or key, SIGNING_FAILED for any other refusal.
 */
export function classifyAzureFailure(error: unknown, action: string): RemoteFailure {
  if (error instanceof ReposignError) return error;
  const { name, code } = fieldsOf(error);
  const status = statusOf(error);
  const detail = firstLine(error);
  if (status === 429) return 'throttled';
  if (status === 408 || (status !== undefined && status >= 500)) return 'unavailable';
  if (typeof name === 'string' && CREDENTIAL_ERRORS.has(name)) {
    return new ReposignError('KEY_ACCESS_DENIED', `Azure Key Vault: ${action} failed, no access token: the credentials were refused or are unavailable (${detail})`, { cause: error });
  }
  if (status === undefined && (name === 'TimeoutError' || (typeof code === 'string' && TRANSPORT_CODE.test(code)))) return 'unavailable';
  if (status === 403 && isDisabled(error)) {
    return new ReposignError('KEY_LOAD_FAILED', `Azure Key Vault: ${action} failed, the key is disabled (${detail}); enable it or point CertificateName at an enabled certificate`, { cause: error });
  }
  if (status === 401 || status === 403) {
    return new ReposignError('KEY_ACCESS_DENIED', `Azure Key Vault: ${action} was denied (HTTP ${status}: ${detail}); grant the identity the certificates get, keys get and keys sign permissions`, { cause: error });
  }
  if (status === 404) return new ReposignError('KEY_NOT_FOUND', `Azure Key Vault: ${action} failed, it does not exist (${detail})`, { cause: error });
  return new ReposignError('SIGNING_FAILED', `Azure Key Vault: ${action} failed (${status === undefined ? 'no HTTP status' : `HTTP ${status}`}: ${detail})`, { cause: error });
}
