// SPDX-License-Identifier: MIT
// The `reposign` command line: sign, verify and inspect NuGet packages.

import { ReposignError } from '../errors.js';
import { ProviderSettingError } from '../providers/signing-provider.js';
import type { CommandOutput } from './arguments.js';
import { INSPECT_USAGE, inspectCommand } from './inspect-command.js';
import { signCommand, signUsage } from './sign-command.js';
import { VERIFY_USAGE, verifyCommand } from './verify-command.js';

// Usages are functions: sign's lists the key providers registered by the time it is asked for.
const COMMANDS = {
  sign: { run: signCommand, usage: signUsage },
  verify: { run: verifyCommand, usage: () => VERIFY_USAGE },
  inspect: { run: inspectCommand, usage: () => INSPECT_USAGE },
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
 * 1 a package could not be read, signed or verified, 2 a usage error (including an unknown or
 * unavailable key provider) or a key or certificate that cannot be used.
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
    io.out(command.usage());
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof ReposignError)) throw error;
    const setting = error instanceof ProviderSettingError ? `${error.setting}: ` : '';
    io.err(`error: ${error.nugetCode ? `${error.nugetCode}: ` : ''}${setting}${error.message}`);
    if (error.origin === 'caller') {
      io.err(`\n${command.usage()}`);
      return 2;
    }
    return error.code.startsWith('KEY_') || error.code.startsWith('CERTIFICATE_') ? 2 : 1;
  }
}
