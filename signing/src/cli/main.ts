// SPDX-License-Identifier: MIT
// The `reposign` command line: sign, verify and inspect NuGet packages.

import { ReposignError } from '../errors.js';
import type { CommandOutput } from './arguments.js';
import { INSPECT_USAGE, inspectCommand } from './inspect-command.js';
import { SIGN_USAGE, signCommand } from './sign-command.js';
import { VERIFY_USAGE, verifyCommand } from './verify-command.js';

const COMMANDS = {
  sign: { run: signCommand, usage: SIGN_USAGE },
  verify: { run: verifyCommand, usage: VERIFY_USAGE },
  inspect: { run: inspectCommand, usage: INSPECT_USAGE },
} as const;

const USAGE = `Usage: reposign <command> [options]

Commands:
  sign      repository-sign packages
  verify    verify package signatures
  inspect   show a package's signature tree

Run 'reposign <command> --help' for a command's options.`;

const consoleOutput: CommandOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code: 0 success,
 * 1 a package could not be read, signed or verified, 2 a usage error or a key or certificate that
 * cannot be used.
 */
export async function main(argv: readonly string[], io: CommandOutput = consoleOutput): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    io.err(`Unknown command '${name}'.\n\n${USAGE}`);
    return 2;
  }
  const command = COMMANDS[name as keyof typeof COMMANDS];
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof ReposignError)) throw error;
    io.err(`error: ${error.nugetCode ? `${error.nugetCode}: ` : ''}${error.message}`);
    if (error.code === 'INVALID_ARGUMENT') {
      io.err(`\n${command.usage}`);
      return 2;
    }
    return error.code.startsWith('KEY_') || error.code.startsWith('CERTIFICATE_') ? 2 : 1;
  }
}
