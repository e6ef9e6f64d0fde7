// SPDX-License-Identifier: MIT
// The messages between the engine and its signing workers, and how an error crosses between them:
// a ReposignError keeps its code and NuGet code, anything else its message and stack.

import { ReposignError, type ErrorCode } from '../errors.js';
import type { HashAlgorithmName } from '../hash-algorithm.js';
import type { RepositorySignResult } from '../package-signer.js';
import type { PortableKey } from '../signing-key.js';

/** One package to sign: repositorySignPackage's arguments, with the key in portable form. */
export interface SignJob {
  /** Names the key across jobs, so that a worker parses and checks its chain once. */
  readonly keyId: number;
  /** The key, sent until the worker has it: a worker that does not know `keyId` answers `needsKey`. */
  readonly key: PortableKey | undefined;
  readonly input: string;
  readonly outputPath: string;
  readonly serviceIndexUrl: string;
  readonly hashAlgorithm: HashAlgorithmName | undefined;
  readonly packageOwners: readonly string[] | undefined;
  readonly signingTime: Date | undefined;
  /** Shared with the caller, who sets element 0 to 1 to cancel: nothing is written after that. */
  readonly cancelled: Int32Array;
}

/** An error as it crosses a thread. */
export type EncodedError =
  | { readonly kind: 'reposign'; readonly code: ErrorCode; readonly message: string; readonly nugetCode: string | undefined }
  | { readonly kind: 'other'; readonly name: string; readonly message: string; readonly stack: string | undefined };

/** What a worker signed: the caller adds the certificate, which it knows already. */
export type WorkerSignResult = Omit<RepositorySignResult, 'certificate'>;

/** A worker's answer to a {@link SignJob}. */
export type SignReply =
  | { readonly ok: true; readonly result: WorkerSignResult }
  | { readonly ok: false; readonly error: EncodedError }
  | { readonly ok: false; readonly needsKey: true };

/** An error as {@link decodeError} rebuilds it on the other side. */
export function encodeError(error: unknown): EncodedError {
  if (error instanceof ReposignError) return { kind: 'reposign', code: error.code, message: error.message, nugetCode: error.nugetCode };
  if (error instanceof Error) return { kind: 'other', name: error.name, message: error.message, stack: error.stack };
  return { kind: 'other', name: 'Error', message: String(error), stack: undefined };
}

/** The error `encoded` describes: a ReposignError with its code, or an Error with the original's message and stack. */
export function decodeError(encoded: EncodedError): Error {
  if (encoded.kind === 'reposign') return new ReposignError(encoded.code, encoded.message, encoded.nugetCode === undefined ? {} : { nugetCode: encoded.nugetCode });
  const error = new Error(encoded.message);
  error.name = encoded.name;
  if (encoded.stack !== undefined) error.stack = encoded.stack;
  return error;
}

/** SIGNING_ABORTED, as signWithDeadline words it. */
export function signingAborted(kind: string, cause?: unknown): ReposignError {
  return new ReposignError('SIGNING_ABORTED', `Signing with the ${kind} key was cancelled.`, { cause });
}
