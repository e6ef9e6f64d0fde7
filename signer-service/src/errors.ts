// SPDX-License-Identifier: MIT
// The one error catalogue of signer-service: every failure the engine, the CLI or the feed reports.

/** Every error code reposign raises. Tests assert on these, never on message text. */
export type ErrorCode =
  // package archive (zip) structure
  | 'ARCHIVE_TRUNCATED'
  | 'ARCHIVE_NOT_ZIP'
  | 'ARCHIVE_ZIP64'
  | 'ARCHIVE_TOO_MANY_ENTRIES'
  | 'ARCHIVE_EOCD_IN_COMMENT'
  | 'ARCHIVE_PREFIX_BYTES'
  | 'ARCHIVE_BAD_RECORD'
  | 'ARCHIVE_OUT_OF_BOUNDS'
  | 'ARCHIVE_OVERLAPPING_ENTRIES'
  | 'ARCHIVE_MULTI_DISK'
  | 'ARCHIVE_TOO_LARGE'
  | 'ARCHIVE_ENTRY_NOT_FOUND'
  | 'ARCHIVE_ENTRY_TOO_LARGE'
  | 'ARCHIVE_UNSUPPORTED_COMPRESSION'
  | 'ARCHIVE_ENTRY_CORRUPT'
  | 'ARCHIVE_UNREADABLE'
  | 'ARCHIVE_UNSAFE_ENTRY'
  // the .signature.p7s entry and the NuGet signature inside it
  | 'SIGNATURE_ENTRY_INVALID'
  | 'SIGNATURE_MULTIPLE_ENTRIES'
  | 'SIGNATURE_MALFORMED'
  | 'SIGNATURE_UNSUPPORTED'
  | 'SIGNATURE_INTEGRITY'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_UNTRUSTED_FINGERPRINT'
  // package metadata
  | 'NUSPEC_MISSING'
  | 'NUSPEC_INVALID'
  // signing keys and certificates
  | 'KEY_LOAD_FAILED'
  | 'KEY_NOT_FOUND'
  | 'KEY_BAD_PASSWORD'
  | 'KEY_UNSUPPORTED'
  | 'CERTIFICATE_INVALID'
  | 'CERTIFICATE_MISMATCH'
  | 'SIGNING_FAILED'
  // RFC 3161 timestamping
  | 'TIMESTAMP_FAILED'
  | 'TIMESTAMP_INVALID'
  // caller input
  | 'INVALID_ARGUMENT'
  // the feed (signer-service HTTP, storage, database)
  | 'CONFIG_INVALID'
  | 'FEED_BAD_REQUEST'
  | 'FEED_UNAUTHORIZED'
  | 'FEED_PACKAGE_TOO_LARGE'
  | 'FEED_PACKAGE_EXISTS'
  | 'FEED_PACKAGE_NOT_FOUND'
  | 'FEED_SIGNATURE_REJECTED'
  | 'FEED_STORAGE_FAILED'
  | 'FEED_DATABASE_FAILED'
  | 'FEED_SIGNING_UNAVAILABLE';

/**
 * The error every reposign layer throws. `code` is stable and machine-readable; `nugetCode` names
 * the NuGet client code (NU3xxx) that the same defect would draw, when there is one.
 */
export class ReposignError extends Error {
  override readonly name = 'ReposignError';
  readonly code: ErrorCode;
  readonly nugetCode: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; nugetCode?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.nugetCode = options.nugetCode;
  }
}

/** True when `error` is a ReposignError, optionally with the given code. */
export function isReposignError(error: unknown, code?: ErrorCode): error is ReposignError {
  return error instanceof ReposignError && (code === undefined || error.code === code);
}
