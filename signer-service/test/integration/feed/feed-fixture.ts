// SPDX-License-Identifier: MIT
// Test fixture for the feed: tiny packages built in memory, a feed on a temp directory, and the
// multipart body `dotnet nuget push` sends.

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/db/database.js';
import { openFeed, type Feed } from '../../../src/feed.js';
import type { FeedLog } from '../../../src/services/feed-context.js';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { seedEmbeddedDatabase } from './embedded-database-template.js';
import { buildZip } from '../../../../signing/test/helpers/zip-builder.js';

/** One zip entry. */
interface Entry {
  readonly name: string;
  readonly data: Buffer;
}

/** Builds a zip archive (deflated entries with UTF-8 names, no Zip64) in memory. */
export function zip(entries: readonly Entry[]): Buffer {
  return Buffer.from(buildZip(entries.map(({ name, data }) => ({ name, data, method: 8, utf8: true }))).bytes);
}

/** What a test package holds. */
export interface TestPackageOptions {
  readonly id: string;
  readonly version: string;
  readonly description?: string;
  readonly tags?: string;
  readonly dependencies?: readonly { id: string; version: string }[];
  /** Random payload bytes, to reach a size. */
  readonly paddingBytes?: number;
  /** Replaces the generated nuspec. */
  readonly nuspec?: string;
}

/** The nuspec XML of a test package. */
export function nuspecXml(options: TestPackageOptions): string {
  const dependencies = (options.dependencies ?? []).map((dep) => `<dependency id="${dep.id}" version="${dep.version}" />`).join('');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">',
    '  <metadata>',
    `    <id>${options.id}</id>`,
    `    <version>${options.version}</version>`,
    '    <authors>reposign tests</authors>',
    `    <description>${options.description ?? `Test package ${options.id}`}</description>`,
    `    <tags>${options.tags ?? 'test'}</tags>`,
    `    <dependencies><group targetFramework="net8.0">${dependencies}</group></dependencies>`,
    '  </metadata>',
    '</package>',
  ].join('\n');
}

/** A minimal valid package as bytes. */
export function testPackage(options: TestPackageOptions): Buffer {
  const entries: Entry[] = [
    { name: `${options.id}.nuspec`, data: Buffer.from(options.nuspec ?? nuspecXml(options), 'utf8') },
    { name: 'lib/net8.0/_._', data: Buffer.alloc(0) },
  ];
  if (options.paddingBytes !== undefined) entries.push({ name: 'content/padding.bin', data: randomBytes(options.paddingBytes) });
  return zip(entries);
}

/** Writes a test package to `dir` and returns its path. */
export async function writeTestPackage(dir: string, options: TestPackageOptions): Promise<string> {
  const path = join(dir, `${options.id}.${options.version}.nupkg`);
  await writeFile(path, testPackage(options));
  return path;
}

const BOUNDARY = 'reposign-test-boundary';

/** The multipart body `dotnet nuget push` sends: one `package` file part. */
export function pushBody(nupkg: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  return {
    payload: Buffer.concat([head, nupkg, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  };
}

/** The API key every test feed accepts. */
export const API_KEY = 'test-api-key';

/** A running test feed (not listening unless a test calls listen). */
export interface TestFeed {
  readonly feed: Feed;
  readonly app: FastifyInstance;
  readonly storage: string;
  /** PUTs `nupkg` to the publish endpoint through inject. */
  push(nupkg: Buffer, apiKey?: string): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;
}

/**
 * Opens a feed on a temp directory with a fast self-signed key and no timestamping; `env` adds
 * configuration in `Section__Key` form. Everything is closed when `t` ends.
 */
export async function startTestFeed(t: TestContext, env: Record<string, string> = {}, options: { database?: Database; storage?: string; logStream?: Writable } = {}): Promise<TestFeed> {
  const storage = options.storage ?? (await tempDirFor(t, 'feed'));
  const { config } = loadConfig({
    argv: [],
    cwd: storage,
    env: {
      Storage__Path: storage,
      ApiKeys__0: API_KEY,
      Signing__TimestampServerUrl: '',
      Signing__SelfSigned__KeySize: '2048',
      Logging__Level: 'silent',
      ...env,
    },
  });
  if (options.database === undefined && config.databaseConnectionString === undefined) await seedEmbeddedDatabase(config.storagePath);
  const feed = await openFeed(config, { metricsDefaults: false, ...(options.database === undefined ? {} : { database: options.database }) });
  const app = await buildApp(feed, { logger: options.logStream === undefined ? false : { level: 'debug', stream: options.logStream } });
  t.after(async () => {
    await app.close();
    await feed.close();
  });
  return {
    feed,
    app,
    storage,
    async push(nupkg, apiKey = API_KEY) {
      const { payload, headers } = pushBody(nupkg);
      const response = await app.inject({ method: 'PUT', url: '/api/v2/package', payload, headers: { ...headers, 'x-nuget-apikey': apiKey } });
      return { statusCode: response.statusCode, body: response.body, headers: response.headers };
    },
  };
}

/** A log that keeps what background jobs tell it, for assertions. */
export function memoryLog(): FeedLog & { readonly lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (details: Record<string, unknown>, message: string): void => {
    lines.push(`${level} ${message} ${JSON.stringify(details)}`);
  };
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error') };
}
