// SPDX-License-Identifier: MIT
// Plain HTTP calls against a feed process for the fault tests and the load bench: pushes with a
// deadline, timed requests, and downloads judged by the engine's verifier.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyPackage, type PackageVerification } from '@reposign/signing';
import { pushBody } from '../../signer-service/test/integration/feed/feed-fixture.js';

/** One answer, with how long it took. */
export interface TimedResponse {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Buffer;
  readonly ms: number;
}

/**
 * Sends a request and reads the whole answer; throws when there is none within `timeoutMs`
 * (a hang is a failure, not a slow success).
 */
export async function timedRequest(url: string, init: RequestInit = {}, timeoutMs = 30_000): Promise<TimedResponse> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body, ms: performance.now() - started };
}

/** PUTs `nupkg` to the feed at `base` (`http://host:port`) the way `dotnet nuget push` does. */
export function pushPackage(base: string, nupkg: Buffer, apiKey: string, timeoutMs = 60_000): Promise<TimedResponse> {
  const { payload, headers } = pushBody(nupkg);
  return timedRequest(`${base}/api/v2/package`, { method: 'PUT', body: payload, headers: { ...headers, 'x-nuget-apikey': apiKey } }, timeoutMs);
}

/** The flat-container URL of a package's nupkg. */
export function nupkgUrl(base: string, id: string, version: string): string {
  const lower = id.toLowerCase();
  return `${base}/v3/flatcontainer/${lower}/${version}/${lower}.${version}.nupkg`;
}

/**
 * Downloads a package, writes it under `dir` and verifies it with the engine, requiring a signature
 * by one of `fingerprints`. Throws when the download is not a 200.
 */
export async function downloadAndVerify(base: string, id: string, version: string, dir: string, fingerprints: readonly string[]): Promise<PackageVerification> {
  const response = await timedRequest(nupkgUrl(base, id, version));
  if (response.status !== 200) throw new Error(`GET ${id} ${version}: ${response.status} ${response.body.toString('utf8').slice(0, 300)}`);
  const path = join(dir, `${id}.${version}.${process.hrtime.bigint()}.nupkg`);
  await writeFile(path, response.body);
  return verifyPackage(path, { certificateFingerprints: fingerprints });
}
