// SPDX-License-Identifier: MIT
// Reads the JSON file and the environment, merges them ASP.NET style and validates the result once.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { unaliased } from '@reposign/signing';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { FeedError } from '../errors.js';
import type { Config, ListenAddress } from './config.js';
import { isLoopbackHost } from '../http/public-url.js';
import { configSchema, type RawConfig } from './schema.js';
import { resolveSigning } from './signing-config.js';

/** Where configuration comes from; tests pass their own. */
export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against (the directory `npm start` was run in). */
  readonly cwd: string;
}

/** A loaded configuration and the unknown keys that were ignored. */
export interface LoadedConfig {
  readonly config: Config;
  readonly warnings: readonly string[];
  /** The config file read, if any. */
  readonly file: string | undefined;
}

type SchemaNode = { type?: unknown; properties?: Record<string, SchemaNode>; items?: SchemaNode; enum?: unknown[] };

/** Flattens JSON into `A:B:0` paths, the way ASP.NET configuration providers do. */
function flatten(value: unknown, prefix: string[], out: Map<string, { path: string[]; value: unknown }>): void {
  if (typeof value === 'object' && value !== null) {
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
    for (const [key, item] of entries) flatten(item, [...prefix, key], out);
    return;
  }
  if (prefix.length > 0) out.set(prefix.join(':').toLowerCase(), { path: prefix, value });
}

/** Finds the schema spelling of each segment; undefined when the path is not in the schema. */
function canonicalPath(root: SchemaNode, path: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let node: SchemaNode | undefined = root;
  for (const segment of path) {
    if (node?.type === 'array' && /^\d+$/.test(segment)) {
      out.push(segment);
      node = node.items;
      continue;
    }
    const key: string | undefined = Object.keys(node?.properties ?? {}).find((name) => name.toLowerCase() === segment.toLowerCase());
    if (key === undefined || node?.properties === undefined) return undefined;
    out.push(key);
    node = node.properties[key];
  }
  return node?.type === 'object' ? undefined : out;
}

function schemaAt(root: SchemaNode, path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const segment of path) node = node?.type === 'array' ? node.items : node?.properties?.[segment];
  return node;
}

/** Builds the nested object from canonical paths; array indexes become dense arrays. */
function unflatten(schema: SchemaNode, entries: Iterable<{ path: string[]; value: unknown }>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { path, value } of entries) {
    let node = root;
    path.forEach((segment, index) => {
      if (index === path.length - 1) node[segment] = value;
      else node = (node[segment] ??= {}) as Record<string, unknown>;
    });
  }
  const densify = (value: unknown, path: string[]): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (schemaAt(schema, path)?.type === 'array') {
      return Object.keys(record)
        .map(Number)
        .sort((a, b) => a - b)
        .map((index) => record[String(index)]);
    }
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, densify(item, [...path, key])]));
  };
  return densify(root, []) as Record<string, unknown>;
}

function configFilePath(sources: ConfigSources): string | undefined {
  const index = sources.argv.indexOf('--config');
  const inline = sources.argv.find((arg) => arg.startsWith('--config='));
  const given = index >= 0 ? sources.argv[index + 1] : inline?.slice('--config='.length) ?? sources.env['REPOSIGN_CONFIG'];
  if (given === undefined || given === '') return undefined;
  return isAbsolute(given) ? given : resolve(sources.cwd, given);
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FeedError('CONFIG_INVALID', `Cannot read the configuration file ${file}.`, { cause });
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (cause) {
    throw new FeedError('CONFIG_INVALID', `The configuration file ${file} is not valid JSON.`, { cause });
  }
}

function parseListen(urls: string, problems: string[]): ListenAddress[] {
  return urls
    .split(';')
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .flatMap((text): ListenAddress[] => {
      const match = /^(https?):\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/i.exec(text);
      if (match === null) {
        problems.push(`Urls: '${text}' must look like http://host:port or https://host:port`);
        return [];
      }
      const [, scheme = 'http', host = '', port = '0'] = match;
      const bindHost = host === '*' || host === '+' ? '0.0.0.0' : host.replace(/^\[|\]$/g, '');
      return [{ protocol: scheme.toLowerCase() === 'https' ? 'https' : 'http', host: bindHost, port: Number(port) }];
    });
}

function apiKeyHash(key: string, index: number, problems: string[]): Buffer[] {
  if (!key.toLowerCase().startsWith('sha256:')) return [createHash('sha256').update(key, 'utf8').digest()];
  const hex = key.slice('sha256:'.length);
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return [Buffer.from(hex, 'hex')];
  problems.push(`ApiKeys:${index}: 'sha256:' must be followed by 64 hexadecimal digits`);
  return [];
}

function absolutePath(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function semanticProblems(raw: RawConfig, listen: readonly ListenAddress[], problems: string[]): void {
  if (raw.PublicBaseUrl !== '' && !/^https?:\/\/[^/\s]+(\/\S*)?$/i.test(raw.PublicBaseUrl)) {
    problems.push('PublicBaseUrl: must be an absolute http or https URL');
  }
  const tlsGiven = [raw.Tls.CertificatePath, raw.Tls.KeyPath].filter((path) => path !== '').length;
  if (tlsGiven === 1) problems.push('Tls: CertificatePath and KeyPath must be set together');
  if (listen.length > 1) problems.push('Urls: give one address (localhost binds both 127.0.0.1 and ::1)');
  const protocols = new Set(listen.map((address) => address.protocol));
  if (protocols.has('https') && tlsGiven !== 2) problems.push('Tls: an https address in Urls needs Tls:CertificatePath and Tls:KeyPath');
  if (protocols.has('http') && tlsGiven === 2) problems.push('Urls: Tls is configured, so the addresses must be https');
  const exposed = listen.filter((address) => !isLoopbackHost(address.host));
  if (raw.PublicBaseUrl === '' && exposed.length > 0) {
    const where = exposed.map((address) => `${address.protocol}://${address.host}:${address.port}`).join(', ');
    problems.push(`PublicBaseUrl: must be set because Urls listens beyond loopback (${where}); documents and signatures name this address, which a request's Host header must not decide`);
  }
  const connection = raw.Database.ConnectionString;
  if (connection !== '' && !/^postgres(ql)?:\/\//i.test(connection)) {
    problems.push('Database:ConnectionString: must be a postgres:// or postgresql:// URL');
  }
}

/** Configuration keys that name other keys (secrets); their targets are not "unknown". */
function referencedKeys(flat: ReadonlyMap<string, { value: unknown }>): Set<string> {
  const names = new Set<string>();
  for (const [path, { value }] of flat) {
    if (typeof value === 'string' && value !== '' && /(secret|configurationkey)$/i.test(path)) names.add(normaliseKey(value));
  }
  return names;
}

function normaliseKey(key: string): string {
  return key.replace(/__/g, ':').toLowerCase();
}

function schemaProblems(schema: TSchema, candidate: unknown): string[] {
  const seen = new Set<string>();
  return [...Value.Errors(schema, candidate)].flatMap((error) => {
    const path = error.instancePath.split('/').filter((segment) => segment !== '');
    const allowed = schemaAt(schema, path)?.enum;
    const message = allowed === undefined ? error.message : `must be one of ${allowed.join(', ')}`;
    const line = `${path.join(':') || '(root)'}: ${message}`;
    if (seen.has(line)) return [];
    seen.add(line);
    return [line];
  });
}

/**
 * Loads the configuration from the file named by `--config` or REPOSIGN_CONFIG and the
 * environment (`Section__Key`, which wins), applies defaults and validates once, against a schema
 * built from the signing providers registered at that moment. Throws
 * CONFIG_INVALID listing every problem with its key path; unknown keys only produce warnings.
 */
export function loadConfig(sources: ConfigSources): LoadedConfig {
  const schema = configSchema();
  const root = schema as SchemaNode;
  const file = configFilePath(sources);
  const flat = new Map<string, { path: string[]; value: unknown }>();
  if (file !== undefined) flatten(readConfigFile(file), [], flat);
  const topLevel = new Set(Object.keys(root.properties ?? {}).map((key) => key.toLowerCase()));
  for (const [name, value] of Object.entries(sources.env)) {
    const path = name.split('__');
    if (value === undefined || !topLevel.has((path[0] ?? '').toLowerCase())) continue;
    flat.set(path.join(':').toLowerCase(), { path, value });
  }
  const secrets = referencedKeys(flat);
  const warnings: string[] = [];
  const known: { path: string[]; value: unknown }[] = [];
  for (const [name, { path, value }] of flat) {
    const canonical = canonicalPath(root, path);
    // A field may accept other spellings of its values (SelfSigned's `KeySize4096`).
    if (canonical !== undefined) known.push({ path: canonical, value: unaliased(schemaAt(root, canonical) as TSchema, value) });
    else if (!secrets.has(name)) warnings.push(`Unknown configuration key ${path.join(':')} is ignored.`);
  }
  const candidate = Value.Default(schema, Value.Convert(schema, unflatten(root, known)));
  const problems = schemaProblems(schema, candidate);
  if (problems.length > 0) throw configError(problems);
  const raw = candidate as RawConfig;
  const listen = parseListen(raw.Urls, problems);
  const apiKeyHashes = raw.ApiKeys.flatMap((key, index) => apiKeyHash(key, index, problems));
  semanticProblems(raw, listen, problems);
  const storagePath = absolutePath(sources.cwd, raw.Storage.Path);
  const lookup = (key: string): string | undefined => {
    const found = flat.get(normaliseKey(key))?.value;
    if (typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean') return String(found);
    const envName = key.replace(/:/g, '__').toLowerCase();
    const match = Object.entries(sources.env).find(([name]) => name.toLowerCase() === envName);
    return match?.[1];
  };
  const signing = resolveSigning(raw.Signing, { lookup, home: sources.env['HOME'], cwd: sources.cwd, storagePath }, problems);
  if (problems.length > 0 || signing === undefined) throw configError(problems);
  const config: Config = {
    listen,
    publicBaseUrl: raw.PublicBaseUrl === '' ? undefined : raw.PublicBaseUrl.replace(/\/+$/, ''),
    allowedHosts: raw.AllowedHosts.map((host) => host.toLowerCase()),
    limits: {
      maxConnections: raw.Limits.MaxConnections,
      bodyIdleTimeoutMs: Math.round(raw.Limits.BodyIdleTimeoutSeconds * 1000),
      bodyMinBytesPerSecond: raw.Limits.BodyMinBytesPerSecond,
      bodyMinRateWindowMs: Math.round(raw.Limits.BodyMinRateWindowSeconds * 1000),
      maxConcurrentPushes: raw.Limits.MaxConcurrentPushes,
    },
    maxFailedApiKeyAttemptsPerMinute: raw.Authentication.MaxFailedAttemptsPerMinute,
    trustedProxies: raw.TrustedProxies,
    storagePath,
    databaseConnectionString: raw.Database.ConnectionString === '' ? undefined : raw.Database.ConnectionString,
    databasePool: { maxConnections: raw.Database.MaxConnections, acquireTimeoutMs: Math.round(raw.Database.AcquireTimeoutSeconds * 1000) },
    apiKeyHashes,
    requireAuthenticationForReads: raw.Authentication.RequireForReads,
    tls:
      raw.Tls.CertificatePath === ''
        ? undefined
        : { certificatePath: absolutePath(sources.cwd, raw.Tls.CertificatePath), keyPath: absolutePath(sources.cwd, raw.Tls.KeyPath) },
    maxPackageSizeBytes: raw.MaxPackageSizeBytes,
    packageDeletesBehavior: raw.PackageDeletesBehavior,
    shutdownTimeoutMs: raw.ShutdownTimeoutSeconds * 1000,
    shutdownDrainMs: raw.ShutdownDrainSeconds * 1000,
    logLevel: raw.Logging.Level,
    signing,
  };
  return { config: deepFreeze(config), warnings, file };
}

/** Builds the CONFIG_INVALID error listing every problem, one a line. */
export function configError(problems: readonly string[]): FeedError {
  return new FeedError('CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * Loads the configuration of this process: `--config` from its arguments, REPOSIGN_CONFIG and
 * `Section__Key` variables from its environment. Relative paths resolve against INIT_CWD (the
 * directory `npm start` was run in; npm itself runs the script in the workspace) or the cwd.
 */
export function loadProcessConfig(): LoadedConfig {
  return loadConfig({ argv: process.argv.slice(2), env: process.env, cwd: process.env['INIT_CWD'] ?? process.cwd() });
}
