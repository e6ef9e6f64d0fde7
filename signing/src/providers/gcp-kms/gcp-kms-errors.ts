// SPDX-License-Identifier: MIT
// What a failed Cloud KMS call means, judged by its gRPC status: throttled or away (the caller
// retries, then answers SIGNING_UNAVAILABLE), or a final refusal with its own error code.

import { ReposignError } from '../../errors.js';
import type { RemoteFailure } from '../remote/resilience.js';

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const STATUS = { UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

function detailOf(error: unknown): string {
  const { details, message } = (typeof error === 'object' && error !== null ? error : {}) as { details?: unknown; message?: unknown };
  if (typeof details === 'string' && details !== '') return details;
  return typeof message === 'string' ? message : String(error);
}

/** Judges a failed Cloud KMS call on `keyName` for the key's RemoteCaller. */
export function classifyGcpKmsFailure(error: unknown, keyName: string): RemoteFailure {
  if (error instanceof ReposignError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = detailOf(error);
  switch (code) {
    case STATUS.RESOURCE_EXHAUSTED:
      return 'throttled';
    case STATUS.UNAVAILABLE:
    case STATUS.DEADLINE_EXCEEDED:
    case STATUS.INTERNAL:
    case STATUS.UNKNOWN:
    case STATUS.ABORTED:
      return 'unavailable';
    case STATUS.UNAUTHENTICATED:
    case STATUS.PERMISSION_DENIED:
      return new ReposignError('KEY_ACCESS_DENIED', `Cloud KMS refused the credentials for ${keyName} (${detail}); check the service account and its roles/cloudkms.signerVerifier and viewer roles`, { cause: error });
    case STATUS.NOT_FOUND:
      return new ReposignError('KEY_NOT_FOUND', `Cloud KMS has no ${keyName} (${detail})`, { cause: error });
    case STATUS.INVALID_ARGUMENT:
    case STATUS.FAILED_PRECONDITION:
      return new ReposignError('SIGNING_FAILED', `Cloud KMS refused the request for ${keyName} (${detail})`, { cause: error });
    default:
      // No gRPC status: the credentials could not be loaded or a request could not be made.
      return new ReposignError('KEY_LOAD_FAILED', `Cloud KMS could not be called for ${keyName}: ${detail}`, { cause: error });
  }
}
