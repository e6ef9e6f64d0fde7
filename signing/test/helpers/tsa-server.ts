// SPDX-License-Identifier: MIT
// A real RFC 3161 time-stamping authority on loopback, backed by `openssl ts -reply`, with switchable
// faults so tests can see how reposign and the NuGet client react to a broken TSA.
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRootCa, issueCertificate, runOpenssl, type TestCa, type TestCertificate } from './pki.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/**
 * How the TSA answers: `ok` (a valid reply), `http-500`, `garbage` (200 with bytes that are no
 * TimeStampResp), `hang` (never answers), `wrong-nonce` and `wrong-imprint` (a valid, signed reply to a
 * query whose nonce or message imprint was altered first).
 */
export type TsaMode = 'ok' | 'http-500' | 'garbage' | 'hang' | 'wrong-nonce' | 'wrong-imprint';

/** A running test TSA. `mode` may be changed between requests. */
export interface TestTsa {
  readonly url: string;
  readonly root: TestCa;
  readonly tsa: TestCertificate;
  readonly rootCertPem: string;
  readonly rootCertPath: string;
  readonly tsaCertPem: string;
  readonly tsaCertPath: string;
  /** Number of requests received so far, whatever the mode. */
  readonly requests: number;
  mode: TsaMode;
  close(): Promise<void>;
}

/** Options of {@link startTsa}. */
export interface TsaOptions {
  /** Where the TSA keeps its PKI and config; a temp dir removed by `close()` when omitted. */
  readonly dir?: string;
  readonly mode?: TsaMode;
}

/**
 * Starts an HTTP TSA on 127.0.0.1 with its own root CA and a leaf that has the critical timeStamping
 * EKU (RSA 2048, sha256WithRSA). Replies use SHA-256 for the token digest and the ESS signing-certificate-v2
 * attribute, and carry the TSA chain when the query sets certReq.
 */
export async function startTsa(options: TsaOptions = {}): Promise<TestTsa> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await makeTempDir('tsa'));
  const year = 365 * 24 * 60 * 60 * 1000;
  const root = await createRootCa(dir, { name: 'Reposign Test TSA Root', notBefore: new Date(Date.now() - 5 * year) });
  const tsa = await issueCertificate(root, {
    subject: 'Reposign Test TSA',
    eku: 'timeStamping',
    notBefore: new Date(Date.now() - 2 * year),
    notAfter: new Date(Date.now() + 10 * year),
  });
  const configPath = await writeTsaConfig(dir, tsa, root);

  let mode: TsaMode = options.mode ?? 'ok';
  let requests = 0;
  // openssl rewrites the serial file on every reply, so replies are made one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const reply = (query: Buffer): Promise<Buffer> => {
    const next = queue.then(() => makeReply(dir, configPath, query));
    queue = next.catch(() => undefined);
    return next;
  };

  const server = createServer((request, response) => {
    requests += 1;
    void handle(request, response, mode, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    root,
    tsa,
    rootCertPem: root.certPem,
    rootCertPath: root.certPath,
    tsaCertPem: tsa.certPem,
    tsaCertPath: tsa.certPath,
    get requests() {
      return requests;
    },
    get mode() {
      return mode;
    },
    set mode(value: TsaMode) {
      mode = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDir) await removeTempDir(dir);
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  mode: TsaMode,
  reply: (query: Buffer) => Promise<Buffer>,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (mode === 'hang') return;
  const contentType = request.headers['content-type'] ?? '';
  if (request.method !== 'POST' || !contentType.startsWith('application/timestamp-query') || mode === 'http-500') {
    response.writeHead(mode === 'http-500' ? 500 : 400).end();
    return;
  }
  if (mode === 'garbage') {
    response.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(randomBytes(64));
    return;
  }
  try {
    const query = Buffer.concat(chunks);
    const body = await reply(mode === 'wrong-nonce' ? alterQuery(query, 'nonce') : mode === 'wrong-imprint' ? alterQuery(query, 'imprint') : query);
    response.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': body.length }).end(body);
  } catch {
    response.writeHead(500).end();
  }
}

async function makeReply(dir: string, configPath: string, query: Buffer): Promise<Buffer> {
  const name = randomBytes(6).toString('hex');
  const queryPath = join(dir, `${name}.tsq`);
  const replyPath = join(dir, `${name}.tsr`);
  try {
    await writeFile(queryPath, query);
    await runOpenssl(['ts', '-reply', '-config', configPath, '-queryfile', queryPath, '-out', replyPath], { cwd: dir });
    return await readFile(replyPath);
  } finally {
    await Promise.all([rm(queryPath, { force: true }), rm(replyPath, { force: true })]);
  }
}

async function writeTsaConfig(dir: string, tsa: TestCertificate, root: TestCertificate): Promise<string> {
  const serialPath = join(dir, 'tsaserial');
  const chainPath = join(dir, 'tsa-chain.pem');
  const configPath = join(dir, 'tsa.cnf');
  await writeFile(serialPath, '01\n');
  await writeFile(chainPath, tsa.certPem + root.certPem);
  await writeFile(
    configPath,
    [
      '[tsa]', 'default_tsa = tsa1', '[tsa1]',
      `serial = ${serialPath}`, 'crypto_device = builtin',
      `signer_cert = ${tsa.certPath}`, `signer_key = ${tsa.keyPath}`, `certs = ${chainPath}`,
      'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'other_policies = 1.2.3.4.5',
      'digests = sha256, sha384, sha512', 'accuracy = secs:1', 'ordering = no', 'tsa_name = yes',
      'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
    ].join('\n'),
  );
  return configPath;
}

// TimeStampReq ::= SEQUENCE { version INTEGER, messageImprint SEQUENCE { AlgorithmIdentifier,
// hashedMessage OCTET STRING }, reqPolicy OID OPTIONAL, nonce INTEGER OPTIONAL, ... } (RFC 3161 §2.4.1).
// Flipping one content byte keeps every length intact, so no re-encoding is needed.
function alterQuery(query: Buffer, field: 'nonce' | 'imprint'): Buffer {
  const altered = Buffer.from(query);
  const fields = derChildren(altered, derNode(altered, 0));
  const imprint = fields[1];
  const target =
    field === 'nonce'
      ? fields.filter((node) => altered[node.offset] === 0x02)[1]
      : imprint === undefined
        ? undefined
        : derChildren(altered, imprint).find((node) => altered[node.offset] === 0x04);
  if (target === undefined || target.contentEnd <= target.contentStart) throw new Error(`TimeStampReq has no ${field}`);
  const last = target.contentEnd - 1;
  altered[last] = (altered[last] ?? 0) ^ 0x01;
  return altered;
}

interface DerNode {
  readonly offset: number;
  readonly contentStart: number;
  readonly contentEnd: number;
}

function derNode(der: Buffer, offset: number): DerNode {
  const first = der[offset + 1] ?? 0;
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    length = 0;
    for (let i = 0; i < (first & 0x7f); i += 1) length = length * 256 + (der[offset + 2 + i] ?? 0);
    contentStart += first & 0x7f;
  }
  return { offset, contentStart, contentEnd: contentStart + length };
}

function derChildren(der: Buffer, parent: DerNode): DerNode[] {
  const nodes: DerNode[] = [];
  for (let offset = parent.contentStart; offset < parent.contentEnd; ) {
    const node = derNode(der, offset);
    nodes.push(node);
    offset = node.contentEnd;
  }
  return nodes;
}
