// SPDX-License-Identifier: MIT
// `reposign sign`: repository-signs packages, with the flags of `dotnet nuget sign` for keys in
// files and, for every other registered key provider, flags derived from its schema.

import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import { parseCertificate } from '../certificates/certificate.js';
import { assertSigningCertificate } from '../certificates/signing-certificate-policy.js';
import { ReposignError } from '../errors.js';
import { createTimestamper, parseHashAlgorithm, repositorySignPackage } from '../index.js';
import { parseCommandLine, type CommandOutput } from './arguments.js';
import { openProviderKey, providerOptions, providersUsage, selectedProvider } from './provider-key.js';

/** The usage of `reposign sign`, listing the options of every registered key provider. */
export function signUsage(): string {
  return `Usage: reposign sign <package-path>... --certificate-path <pfx|pem> --v3-service-index-url <https-url>
                     (--output <dir> | --overwrite) [--provider <kind> <provider options>] [options]

Repository-signs packages: a primary signature on unsigned packages, a repository
countersignature on author-signed packages (replacing NuGet.org's or any other), and a new
primary signature in place of an existing repository signature.

Options:
  --provider <kind>                 the key provider (default StoredCertificate; see below)
  --v3-service-index-url <url>      https URL of the feed's service index, written into the signature
  --package-owner <name>            owner written into the signature (repeatable)
  --hash-algorithm <alg>            SHA256 (default), SHA384 or SHA512
  --timestamper <url>               RFC 3161 timestamp server (repeatable: tried in order)
  --timestamp-hash-algorithm <alg>  SHA256 (default), SHA384 or SHA512
  --output <dir>                    write signed packages to this directory
  --overwrite                       replace the input packages in place

${providersUsage()}`;
}

/** The flags of `reposign sign` itself; a provider's fields take other flags. */
const COMMON_OPTIONS = {
  provider: { type: 'string' },
  'v3-service-index-url': { type: 'string' },
  'package-owner': { type: 'string', multiple: true },
  'hash-algorithm': { type: 'string' },
  timestamper: { type: 'string', multiple: true },
  'timestamp-hash-algorithm': { type: 'string' },
  output: { type: 'string', short: 'o' },
  overwrite: { type: 'boolean' },
} as const;

/** Runs `reposign sign`. Returns the exit code. */
export async function signCommand(args: readonly string[], io: CommandOutput): Promise<number> {
  const provider = selectedProvider(args);
  const { values, positionals } = parseCommandLine(args, { ...providerOptions(provider, COMMON_OPTIONS), ...COMMON_OPTIONS });
  if (positionals.length === 0) throw new ReposignError('INVALID_ARGUMENT', 'No package path was given.');
  const serviceIndexUrl = values['v3-service-index-url'];
  if (!serviceIndexUrl) throw new ReposignError('INVALID_ARGUMENT', '--v3-service-index-url is required for a repository signature.');
  if (Boolean(values.output) === Boolean(values.overwrite)) {
    throw new ReposignError('INVALID_ARGUMENT', 'Give exactly one of --output <dir> and --overwrite.');
  }
  const hashAlgorithm = parseHashAlgorithm(values['hash-algorithm'] ?? 'SHA256');
  const timestamper = createTimestamper({
    urls: values.timestamper ?? [],
    hashAlgorithm: parseHashAlgorithm(values['timestamp-hash-algorithm'] ?? 'SHA256'),
  });
  const key = await openProviderKey(provider, values);
  try {
    // A certificate the client would reject is a key error (exit 2), refused before any package.
    assertSigningCertificate(key.certificateChain().map(parseCertificate));
    if (values.output) await mkdir(values.output, { recursive: true });
    let failures = 0;
    for (const input of positionals) {
      const output = values.output ? join(values.output, basename(input)) : input;
      try {
        const result = await repositorySignPackage(resolve(input), resolve(output), {
          key,
          serviceIndexUrl,
          hashAlgorithm,
          packageOwners: values['package-owner'],
          timestamper,
        });
        io.out(
          `Signed ${input} (${result.before} -> ${result.after}, repository ${result.placement}) with certificate ${result.certificate.fingerprintSha256.toUpperCase()} -> ${output}`,
        );
      } catch (error) {
        if (!(error instanceof ReposignError) || error.origin === 'key') throw error;
        failures++;
        io.err(`error: ${error.nugetCode ? `${error.nugetCode}: ` : ''}${input}: ${error.message}`);
      }
    }
    return failures === 0 ? 0 : 1;
  } finally {
    await key.close();
  }
}
