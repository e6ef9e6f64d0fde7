// SPDX-License-Identifier: MIT
// `reposign verify`: integrity, structure, signer checks and fingerprints, like `dotnet nuget verify`.

import { ReposignError } from '../errors.js';
import { verifyPackage, type PackageVerification } from '../index.js';
import { parseCommandLine, type CommandOutput } from './arguments.js';

export const VERIFY_USAGE = `Usage: reposign verify <package-path>... [--all] [--certificate-fingerprint <sha256>]... [--json]

Verifies package integrity, the zip structure, every signature and countersignature, timestamps,
and the certificate rules of the NuGet client. Exits non-zero when any package fails.
Chain trust is not judged: pin the signer with --certificate-fingerprint (SHA-256 hex of the
certificate; a match on the primary signature or a repository countersignature passes). A pinned
certificate is judged as the client judges one trusted with allowUntrustedRoot="true" (an expired,
untimestamped signature is then a warning); verdicts that depend on such trust settings say so.

Options:
  --all                               verify all signatures (always done; accepted for dotnet parity)
  --certificate-fingerprint <sha256>  allowed signing certificate (repeatable)
  --json                              print the results as JSON`;

function printVerification(result: PackageVerification, io: CommandOutput): void {
  const name = result.inspection ? `${result.inspection.id}.${result.inspection.version}` : result.path;
  io.out(`Verifying ${name} (${result.path})`);
  for (const signature of result.inspection?.signatures ?? []) {
    const certificate = signature.certificate;
    io.out(
      `  ${signature.type} ${signature.placement === 'primary' ? 'primary signature' : 'countersignature'}, ${signature.hashAlgorithm}, ${certificate ? `${certificate.subject} SHA256 ${certificate.fingerprintSha256.toUpperCase()}` : 'no certificate'}`,
    );
  }
  for (const issue of result.issues) {
    io.out(`  ${issue.level}: ${issue.nugetCode}: ${issue.message}`);
    if (issue.dependsOnTrust !== undefined) io.out(`    depends on trust settings reposign cannot see: ${issue.dependsOnTrust}`);
  }
  io.out(result.valid ? `Successfully verified package '${name}'.` : `Package signature validation failed for '${name}'.`);
}

/** Runs `reposign verify`. Returns the exit code. */
export async function verifyCommand(args: readonly string[], io: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    all: { type: 'boolean' },
    'certificate-fingerprint': { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (positionals.length === 0) throw new ReposignError('INVALID_ARGUMENT', 'No package path was given.');
  const results: PackageVerification[] = [];
  for (const path of positionals) {
    results.push(await verifyPackage(path, { certificateFingerprints: values['certificate-fingerprint'] }));
  }
  if (values.json) {
    io.out(JSON.stringify(results, jsonReplacer, 2));
  } else {
    for (const result of results) printVerification(result, io);
  }
  return results.every((result) => result.valid) ? 0 : 1;
}

/** JSON for reports: dates as ISO strings, certificate DER as base64. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}
