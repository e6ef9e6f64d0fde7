// SPDX-License-Identifier: MIT
// What a failed Key Vault or Entra ID call means for reposign: the service is away (a retry may
// work), the credentials or permissions are wrong, or the certificate or key does not exist.

import { ReposignError } from '../../errors.js';

/** The fields of an Azure SDK error (RestError, AuthenticationError) that decide its meaning. */
interface AzureErrorFields {
  readonly name?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
}

/** @azure/identity's errors: Entra ID refused the credentials (AuthenticationRequiredError wraps MSAL's `invalid_client`), or none could be obtained. */
const CREDENTIAL_ERRORS = new Set(['AuthenticationError', 'AuthenticationRequiredError', 'CredentialUnavailableError', 'AggregateAuthenticationError']);

function fieldsOf(error: unknown): AzureErrorFields {
  return typeof error === 'object' && error !== null ? error : {};
}

/** The first line of the SDK's message: Entra and Key Vault messages carry trace ids and links after it. */
function firstLine(error: unknown): string {
  const { message } = fieldsOf(error);
  return typeof message === 'string' ? (message.split('\n')[0] ?? '').trim() : String(error);
}

/** True for an abort the caller asked for: rethrown as is, the engine reports it. */
export function isAbort(error: unknown): boolean {
  return fieldsOf(error).name === 'AbortError';
}

/**
 * The ReposignError for an Azure SDK failure while `action` (e.g. `reading certificate 'x'`):
 * SIGNING_UNAVAILABLE for throttling, 5xx and network failures; KEY_ACCESS_DENIED for rejected
 * credentials and missing permissions; KEY_NOT_FOUND for a missing certificate or key;
 * SIGNING_FAILED otherwise.
 */
export function azureError(error: unknown, action: string): ReposignError {
  if (error instanceof ReposignError) return error;
  const { name, statusCode } = fieldsOf(error);
  const detail = firstLine(error);
  if (typeof name === 'string' && CREDENTIAL_ERRORS.has(name)) {
    return new ReposignError('KEY_ACCESS_DENIED', `Azure Key Vault: ${action} failed, the credentials were refused or are unavailable (${detail})`, { cause: error });
  }
  if (statusCode === 401 || statusCode === 403) {
    return new ReposignError('KEY_ACCESS_DENIED', `Azure Key Vault: ${action} was denied (HTTP ${statusCode}: ${detail}); grant the identity the certificates get and keys sign permissions`, { cause: error });
  }
  if (statusCode === 404) return new ReposignError('KEY_NOT_FOUND', `Azure Key Vault: ${action} failed, it does not exist (${detail})`, { cause: error });
  if (statusCode === undefined || statusCode === 408 || statusCode === 429 || (typeof statusCode === 'number' && statusCode >= 500)) {
    const status = typeof statusCode === 'number' ? `HTTP ${statusCode}` : 'unreachable';
    return new ReposignError('SIGNING_UNAVAILABLE', `Azure Key Vault is unavailable: ${action} failed (${status}: ${detail})`, { cause: error });
  }
  return new ReposignError('SIGNING_FAILED', `Azure Key Vault: ${action} failed (HTTP ${typeof statusCode === 'number' ? statusCode : '?'}: ${detail})`, { cause: error });
}
