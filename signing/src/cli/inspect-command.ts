// SPDX-License-Identifier: MIT
// `reposign inspect`: the signature tree of one package.

import { ReposignError } from '../errors.js';
import { inspectPackage, type SignatureReport } from '../index.js';
import { parseCommandLine, type CommandOutput } from './arguments.js';
import { jsonReplacer } from './verify-command.js';

export const INSPECT_USAGE = `Usage: reposign inspect <package-path> [--json]

Prints the package's identity and its signature tree: type, placement, signer subject,
SHA-256 fingerprints, signing time, timestamps, service index URL and owners.`;

function printSignature(signature: SignatureReport, indent: string, io: CommandOutput): void {
  const certificate = signature.certificate;
  const what = signature.placement === 'primary' ? 'primary signature' : 'countersignature';
  io.out(`${indent}${signature.type} ${what} (${signature.hashAlgorithm})`);
  if (certificate) {
    io.out(`${indent}  Subject: ${certificate.subject}`);
    io.out(`${indent}  Issuer: ${certificate.issuer}`);
    io.out(`${indent}  SHA256 fingerprint: ${certificate.fingerprintSha256.toUpperCase()}`);
    io.out(`${indent}  Valid: ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}`);
  }
  if (signature.signingTime) io.out(`${indent}  Signing time: ${signature.signingTime.toISOString()}`);
  if (signature.serviceIndexUrl) io.out(`${indent}  Service index: ${signature.serviceIndexUrl}`);
  if (signature.owners) io.out(`${indent}  Owners: ${signature.owners.join(', ')}`);
  for (const timestamp of signature.timestamps) {
    io.out(`${indent}  Timestamp: ${timestamp.genTime.toISOString()} by ${timestamp.tsaSubject} (SHA256 ${timestamp.tsaFingerprintSha256.toUpperCase()})`);
  }
}

/** Runs `reposign inspect`. Returns the exit code. */
export async function inspectCommand(args: readonly string[], io: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine(args, { json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new ReposignError('INVALID_ARGUMENT', 'Give exactly one package path.');
  const inspection = await inspectPackage(positionals[0]);
  if (values.json) {
    io.out(JSON.stringify(inspection, jsonReplacer, 2));
    return 0;
  }
  io.out(`${inspection.id} ${inspection.version}: ${inspection.kind}`);
  inspection.signatures.forEach((signature) =>
    printSignature(signature, signature.placement === 'primary' ? '  ' : '    ', io),
  );
  return 0;
}
