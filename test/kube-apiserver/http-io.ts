// SPDX-License-Identifier: MIT
// Reading request bodies and writing JSON or Status responses.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from './status-error.js';

/** The whole request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends `body` as JSON with `code`, plus `Warning` headers for each warning. */
export function sendJson(res: ServerResponse, code: number, body: unknown, warnings: readonly string[] = []): void {
  const payload = JSON.stringify(body);
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(payload);
}

/** Sends a failure as its Status object. */
export function sendError(res: ServerResponse, error: ApiError): void {
  if (error.details?.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
  sendJson(res, error.code, error.toStatus());
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * Whether the Accept header allows a JSON answer. Protobuf-only Accept headers get 406; clients that
 * list JSON as an alternative (kubectl's typed clients do) get JSON, the fallback they accept.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const types = accept.split(',').map((t) => mediaType(t) ?? '');
  return types.some((t) => ['application/json', '*/*', 'application/*', 'application/yaml'].includes(t));
}

/** Whether the Accept header asks for a `meta.k8s.io/v1` Table. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && params.includes('v=v1');
  });
}
