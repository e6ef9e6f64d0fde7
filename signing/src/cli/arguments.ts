// SPDX-License-Identifier: MIT
// Command-line parsing shared by the commands: node:util parseArgs with usage errors as ReposignError.

import { parseArgs, type ParseArgsConfig } from 'node:util';

import { ReposignError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/** Parses `args` against `options`; unknown flags and missing values become INVALID_ARGUMENT. */
export function parseCommandLine<O extends Options>(args: readonly string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ReposignError('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
  }
}

/** Where commands write: injectable so tests run them in-process. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}
