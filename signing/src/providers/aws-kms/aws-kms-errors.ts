// SPDX-License-Identifier: MIT
// How AWS KMS failures read to reposign: throttling and server faults are retried, transport
// failures are outages, and the rest (credentials, a missing or disabled key) are final errors
// with the code that names the culprit. Error names are those of the KMS API reference.

import { ReposignError, type ErrorCode } from '../../errors.js';
import type { RemoteFailure } from '../remote/resilience.js';

/** The fields of an SDK error that matter here (smithy's ServiceException and transport errors). */
interface AwsErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException']);
const SERVER_FAULTS = new Set(['KMSInternalException', 'DependencyTimeoutException', 'ServiceUnavailable', 'ServiceUnavailableException', 'InternalFailure']);
const FINAL: Readonly<Record<string, { code: ErrorCode; hint: string }>> = {
  UnrecognizedClientException: { code: 'KEY_ACCESS_DENIED', hint: 'the access key id is not known to AWS; check AccessKeyId or the credential chain' },
  InvalidSignatureException: { code: 'KEY_ACCESS_DENIED', hint: 'the secret access key does not match the access key id' },
  IncompleteSignature: { code: 'KEY_ACCESS_DENIED', hint: 'the request signature is incomplete' },
  ExpiredTokenException: { code: 'KEY_ACCESS_DENIED', hint: 'the session token has expired' },
  AccessDeniedException: { code: 'KEY_ACCESS_DENIED', hint: 'the credentials may not use this key (kms:Sign and kms:GetPublicKey are needed)' },
  CredentialsProviderError: { code: 'KEY_ACCESS_DENIED', hint: 'no AWS credentials were found; set AccessKeyId and SecretAccessKey, or provide IRSA / EKS Pod Identity' },
  NotFoundException: { code: 'KEY_NOT_FOUND', hint: 'there is no such key or alias in this account and region' },
  DisabledException: { code: 'KEY_LOAD_FAILED', hint: 'the key is disabled' },
  KMSInvalidStateException: { code: 'KEY_LOAD_FAILED', hint: 'the key is not enabled (pending deletion or import)' },
  KeyUnavailableException: { code: 'SIGNING_UNAVAILABLE', hint: 'the key material is unavailable (custom key store)' },
  InvalidKeyUsageException: { code: 'KEY_UNSUPPORTED', hint: 'the key cannot sign with this algorithm; NuGet needs an RSA SIGN_VERIFY key' },
};
/** Socket and DNS failures (ECONNREFUSED, ECONNRESET, ENOTFOUND, ...): the service was not reached. */
const TRANSPORT_CODE = /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/;

/**
 * Classifies a failed KMS request for {@link RemoteCaller}: 'throttled', 'unavailable', or the
 * final ReposignError (KEY_ACCESS_DENIED for wrong credentials, KEY_NOT_FOUND, ...) naming `keyName`.
 */
export function classifyAwsKmsError(error: unknown, keyName: string): RemoteFailure {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const name = shape.name ?? 'Error';
  const status = shape.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429) return 'throttled';
  if (SERVER_FAULTS.has(name) || (status !== undefined && status >= 500)) return 'unavailable';
  if ((shape.code !== undefined && TRANSPORT_CODE.test(shape.code)) || name === 'TimeoutError') return 'unavailable';
  const final = FINAL[name];
  const detail = `${name}: ${shape.message ?? String(error)}`;
  if (final !== undefined) return new ReposignError(final.code, `${keyName}: ${final.hint} (${detail}).`, { cause: error });
  return new ReposignError('SIGNING_FAILED', `${keyName}: AWS KMS refused the request (${detail}).`, { cause: error });
}
