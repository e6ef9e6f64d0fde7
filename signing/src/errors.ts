// SPDX-License-Identifier: MIT
// The signing engine's error catalogue. Each code is declared with its origin (whose fault it is),
// so every caller — the CLI's exit codes, the feed's HTTP statuses — decides from one table.

/**
 * Whose fault a failure is: `package` (the input package or signature is bad), `key` (the signing
 * key or certificate cannot be used), `service` (a remote service — timestamp authority, KMS, HSM —
 * failed or is unreachable, so a retry may succeed), `caller` (an argument the caller passed).
 */
export type ErrorOrigin = 'package' | 'key' | 'service' | 'caller';

const ERROR_ORIGINS = {
  // package archive (zip) structure
  ARCHIVE_TRUNCATED: 'package',
  ARCHIVE_NOT_ZIP: 'package',
  ARCHIVE_ZIP64: 'package',
  ARCHIVE_TOO_MANY_ENTRIES: 'package',
  ARCHIVE_EOCD_IN_COMMENT: 'package',
  ARCHIVE_PREFIX_BYTES: 'package',
  ARCHIVE_BAD_RECORD: 'package',
  ARCHIVE_OUT_OF_BOUNDS: 'package',
  ARCHIVE_OVERLAPPING_ENTRIES: 'package',
  ARCHIVE_MULTI_DISK: 'package',
  ARCHIVE_TOO_LARGE: 'package',
  ARCHIVE_ENTRY_NOT_FOUND: 'package',
  ARCHIVE_ENTRY_TOO_LARGE: 'package',
  ARCHIVE_UNSUPPORTED_COMPRESSION: 'package',
  ARCHIVE_ENTRY_CORRUPT: 'package',
  ARCHIVE_UNREADABLE: 'package',
  ARCHIVE_UNSAFE_ENTRY: 'package',
  // the .signature.p7s entry and the NuGet signature inside it
  SIGNATURE_ENTRY_INVALID: 'package',
  SIGNATURE_MULTIPLE_ENTRIES: 'package',
  SIGNATURE_MALFORMED: 'package',
  SIGNATURE_UNSUPPORTED: 'package',
  SIGNATURE_INTEGRITY: 'package',
  SIGNATURE_INVALID: 'package',
  SIGNATURE_UNTRUSTED_FINGERPRINT: 'package',
  // package metadata
  NUSPEC_MISSING: 'package',
  NUSPEC_INVALID: 'package',
  // signing keys and certificates
  KEY_LOAD_FAILED: 'key',
  KEY_NOT_FOUND: 'key',
  KEY_BAD_PASSWORD: 'key',
  KEY_UNSUPPORTED: 'key',
  /** The KMS or HSM refused the credentials (or their permissions) for the key. */
  KEY_ACCESS_DENIED: 'key',
  CERTIFICATE_INVALID: 'key',
  CERTIFICATE_MISMATCH: 'key',
  SIGNING_FAILED: 'key',
  // a remote key or timestamp service
  SIGNING_UNAVAILABLE: 'service',
  SIGNING_TIMEOUT: 'service',
  TIMESTAMP_FAILED: 'service',
  TIMESTAMP_INVALID: 'service',
  // caller input
  INVALID_ARGUMENT: 'caller',
  PROVIDER_UNKNOWN: 'caller',
  PROVIDER_UNAVAILABLE: 'caller',
  SIGNING_ABORTED: 'caller',
} as const satisfies Record<string, ErrorOrigin>;

/** Every error code the signing engine raises. Tests assert on these, never on message text. */
export type ErrorCode = keyof typeof ERROR_ORIGINS;

/** Whose fault an engine error code is; see {@link ErrorOrigin}. */
export function errorOrigin(code: ErrorCode): ErrorOrigin {
  return ERROR_ORIGINS[code];
}

/**
 * The error the signing engine throws. `code` is stable and machine-readable; `nugetCode` names
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

  /** Whose fault this error is. */
  get origin(): ErrorOrigin {
    return ERROR_ORIGINS[this.code];
  }
}

/** True when `error` is a ReposignError, optionally with the given code. */
export function isReposignError(error: unknown, code?: ErrorCode): error is ReposignError {
  return error instanceof ReposignError && (code === undefined || error.code === code);
}

/** True when `error` is a ReposignError whose origin is `origin`. */
export function hasErrorOrigin(error: unknown, origin: ErrorOrigin): error is ReposignError {
  return error instanceof ReposignError && error.origin === origin;
}
