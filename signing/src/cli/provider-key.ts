// SPDX-License-Identifier: MIT
// The key options of `reposign sign`, derived from the registered providers' schemas: `--provider`
// picks the backend, each field of its block becomes a flag, and the key is opened through it.

import type { ParseArgsConfig } from 'node:util';

import { Value } from 'typebox/value';

import { ReposignError } from '../errors.js';
import { blockPasswordCandidates, resolveCertificatePassword } from '../providers/certificate-password.js';
import { fieldFlag, unaliased } from '../providers/provider-fields.js';
import { signingProvider, signingProviders } from '../providers/registry.js';
import type { SigningKey } from '../signing-key.js';
import type { ProviderContext, SigningProvider } from '../providers/signing-provider.js';

/** The backend `reposign sign` uses when `--provider` is not given: keys in files, as `dotnet nuget sign` takes them. */
export const DEFAULT_PROVIDER = 'StoredCertificate';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Each field of the provider's block with its flag (without dashes). */
function flags(provider: SigningProvider): { field: string; flag: string; description: string }[] {
  return Object.entries(provider.configSchema.properties).map(([field, schema]) => {
    const { description } = schema as { description?: unknown };
    return { field, flag: fieldFlag(field, schema), description: typeof description === 'string' ? description : '' };
  });
}

/** How messages name a field of the provider's block: by its flag. */
function settingNames(provider: SigningProvider): (field: string) => string {
  const byField = new Map(flags(provider).map(({ field, flag }) => [field, `--${flag}`]));
  return (field) => byField.get(field) ?? `--provider ${provider.kind}`;
}

/** The `--provider` value in `args`, or the default. Throws PROVIDER_UNKNOWN for a kind nobody registered. */
export function selectedProvider(args: readonly string[]): SigningProvider {
  const index = args.findIndex((arg) => arg === '--provider' || arg.startsWith('--provider='));
  const arg = args[index] ?? '';
  const kind = index < 0 ? DEFAULT_PROVIDER : arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[index + 1] ?? '');
  return signingProvider(kind);
}

/**
 * The parseArgs options of the provider's flags (all strings: the schema converts them). Throws
 * INVALID_ARGUMENT when a field's flag is one of the command's own `reserved` flags.
 */
export function providerOptions(provider: SigningProvider, reserved: Options): Options {
  const taken = flags(provider).find(({ flag }) => Object.hasOwn(reserved, flag));
  if (taken !== undefined) {
    throw new ReposignError('INVALID_ARGUMENT', `Provider ${provider.kind}: field ${taken.field} takes the flag --${taken.flag}, which reposign sign uses itself; give it another flag in its metadata.`);
  }
  return Object.fromEntries(flags(provider).map(({ flag }) => [flag, { type: 'string' as const }]));
}

/** The per-provider section of `reposign sign --help`. */
export function providersUsage(): string {
  const sections = signingProviders().map((provider) => {
    const head = `  ${provider.kind}${provider.kind === DEFAULT_PROVIDER ? ' (default)' : ''}: ${provider.summary}`;
    if (provider.unavailable !== undefined) return `${head}\n    not available in this version: ${provider.unavailable}`;
    const lines = flags(provider).map(({ flag, description }) => `    --${`${flag} <value>`.padEnd(38)}${description}`);
    return [head, ...lines].join('\n');
  });
  return `Key providers (--provider <kind>), each with its own options:\n${sections.join('\n')}`;
}

function contextFor(provider: SigningProvider, config: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): ProviderContext {
  const settingName = settingNames(provider);
  const { references, values } = blockPasswordCandidates(provider.configSchema, config, settingName);
  // A reference names an environment variable: keeps the password off the command line.
  const resolution = resolveCertificatePassword([...references, ...values], (key) => env[key] ?? env[key.replace(/:/g, '__')], '(no password given)');
  if (resolution.problem !== undefined) throw new ReposignError('INVALID_ARGUMENT', resolution.problem);
  const cwd = process.cwd();
  return {
    cwd,
    dataDirectory: cwd,
    home: env['HOME'],
    settingName,
    modeSetting: '--provider',
    password: resolution.password,
    passwordSetting: values[0]?.setting ?? references[0]?.setting ?? '--provider',
  };
}

/**
 * Builds the provider's block from the parsed flags, checks it against the schema and the
 * provider's own rules, and opens the key. Throws INVALID_ARGUMENT naming the flags at fault,
 * PROVIDER_UNAVAILABLE for a backend this version cannot sign with, or the provider's error.
 */
export async function openProviderKey(provider: SigningProvider, values: Readonly<Record<string, unknown>>): Promise<SigningKey> {
  const given = flags(provider).filter(({ flag }) => typeof values[flag] === 'string');
  const schemaOf = provider.configSchema.properties;
  const raw = Object.fromEntries(given.map(({ field, flag }) => [field, unaliased(schemaOf[field], values[flag])]));
  const config = Value.Default(provider.configSchema, Value.Convert(provider.configSchema, raw)) as Record<string, unknown>;
  const settingName = settingNames(provider);
  const schemaProblems = [...Value.Errors(provider.configSchema, config)].map((error) => {
    const field = error.instancePath.split('/').filter((segment) => segment !== '')[0] ?? '';
    return `${settingName(field)}: ${error.message}`;
  });
  if (schemaProblems.length > 0) throw new ReposignError('INVALID_ARGUMENT', schemaProblems.join('; '));
  const context = contextFor(provider, config, process.env);
  const validated = provider.validate(config, context);
  if (!validated.ok) {
    const lines = validated.problems.map((problem) => `${settingName(problem.path)}: ${problem.message}`);
    throw new ReposignError('INVALID_ARGUMENT', lines.join('; '));
  }
  if (provider.unavailable !== undefined) {
    throw new ReposignError('PROVIDER_UNAVAILABLE', `Provider ${provider.kind} is not available in this version of reposign: ${provider.unavailable}.`);
  }
  return provider.open(validated.settings, context);
}
