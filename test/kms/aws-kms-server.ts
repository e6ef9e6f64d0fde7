// SPDX-License-Identifier: MIT
// A loopback AWS KMS for tests, written from the KMS API reference (AWS JSON 1.1 protocol:
// `POST /`, `X-Amz-Target: TrentService.<Operation>`, base64 blobs, errors as `{"__type", "message"}`)
// and kept honest by the unmodified @aws-sdk/client-kms. It checks SigV4 signatures against its one
// credential pair, holds real keys (RSA, plus EC and 1024-bit RSA for failure tests), and can be
// told to throttle or to go away.

import { constants, createHash, createHmac, createPublicKey, generateKeyPairSync, privateEncrypt, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the fake does instead of answering: throttle (400 ThrottlingException), fail (500 KMSInternalException), or drop connections. */
export type AwsKmsFault = 'throttled' | 'internal-error' | 'unreachable' | undefined;

/** A key the fake holds. */
export interface AwsKmsTestKey {
  readonly keyId: string;
  readonly arn: string;
  readonly privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Buffer;
}

/** A running fake KMS. */
export interface AwsKmsTestServer {
  /** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
  readonly url: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `TrentService.<Operation>` of every request that passed authentication, in order. */
  readonly calls: string[];
  /**
   * Creates a key: `RSA_2048` (and 3072, 4096), `ECC_NIST_P256`, or the test-only `RSA_1024`;
   * `alias` names it too; `privateKey` imports key material (as KMS imports do) instead of generating it.
   */
  addKey(spec: 'RSA_1024' | 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256', alias?: string, privateKey?: KeyObject): AwsKmsTestKey;
  /** Sets (or with undefined clears) the fault every request meets. */
  fail(fault: AwsKmsFault): void;
  close(): Promise<void>;
}

const ACCOUNT = '111122223333';
const RSA_ALGORITHMS = ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'];
const HASH_PREFIX: Readonly<Record<string, { readonly name: string; readonly length: number; readonly oid: string }>> = {
  RSASSA_PKCS1_V1_5_SHA_256: { name: 'sha256', length: 32, oid: '3031300d060960864801650304020105000420' },
  RSASSA_PKCS1_V1_5_SHA_384: { name: 'sha384', length: 48, oid: '3041300d060960864801650304020205000430' },
  RSASSA_PKCS1_V1_5_SHA_512: { name: 'sha512', length: 64, oid: '3051300d060960864801650304020305000440' },
};

interface StoredKey extends AwsKmsTestKey {
  readonly spec: string;
  readonly created: number;
}

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * Checks the SigV4 `Authorization` header (AWS General Reference, "Signature Version 4 signing
 * process"): the access key id must be ours (else UnrecognizedClientException) and the signature
 * must be the one our secret gives (else InvalidSignatureException), as real KMS answers.
 */
function checkSigV4(request: IncomingMessage, body: Buffer, region: string, accessKeyId: string, secret: string): void {
  const header = request.headers.authorization ?? '';
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(header);
  if (!match) throw new KmsError('IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature.');
  const [, keyId, date, scopeRegion, service, signedHeaders, signature] = match;
  if (keyId !== accessKeyId) throw new KmsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? createHash('sha256').update(body).digest('hex'));
  const [path, query = ''] = (request.url ?? '/').split('?');
  const canonicalRequest = [request.method, path, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), scopeRegion), service), 'aws4_request');
  const expected = hmac(signingKey, stringToSign);
  if (scopeRegion !== region || !timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    throw new KmsError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
}

function generate(spec: string): KeyObject {
  if (spec === 'ECC_NIST_P256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) }).privateKey;
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new KmsError('ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** Starts the fake on 127.0.0.1 with a port chosen by the OS. */
export async function startAwsKmsServer(options: { readonly region?: string } = {}): Promise<AwsKmsTestServer> {
  const region = options.region ?? 'eu-west-1';
  const accessKeyId = 'AKIAREPOSIGNTEST0001';
  const secretAccessKey = `reposign/${randomUUID()}`;
  const keys = new Map<string, StoredKey>();
  const aliases = new Map<string, string>();
  const calls: string[] = [];
  const sockets = new Set<Socket>();
  let fault: AwsKmsFault;

  function find(reference: string): StoredKey {
    const alias = /^(?:arn:aws:kms:[^:]+:\d+:)?(alias\/.+)$/.exec(reference)?.[1];
    const keyId = alias === undefined ? /^(?:arn:aws:kms:[^:]+:\d+:key\/)?(.+)$/.exec(reference)?.[1] : aliases.get(alias);
    const key = keyId === undefined ? undefined : keys.get(keyId);
    if (!key) throw new KmsError('NotFoundException', `${alias === undefined ? 'Key' : 'Alias'} '${reference}' does not exist`);
    return key;
  }

  function algorithmsOf(key: StoredKey): string[] {
    return key.spec.startsWith('RSA') ? RSA_ALGORITHMS : ['ECDSA_SHA_256'];
  }

  const operations: Readonly<Record<string, (body: Record<string, unknown>) => Record<string, unknown>>> = {
    GetPublicKey(body) {
      const key = find(requireString(body, 'KeyId'));
      return { KeyId: key.arn, PublicKey: key.publicKey.toString('base64'), KeySpec: key.spec, CustomerMasterKeySpec: key.spec, KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: algorithmsOf(key) };
    },
    DescribeKey(body) {
      const key = find(requireString(body, 'KeyId'));
      return {
        KeyMetadata: {
          AWSAccountId: ACCOUNT, KeyId: key.keyId, Arn: key.arn, CreationDate: key.created, Enabled: true, KeyState: 'Enabled', KeyUsage: 'SIGN_VERIFY',
          KeySpec: key.spec, CustomerMasterKeySpec: key.spec, Origin: 'AWS_KMS', KeyManager: 'CUSTOMER', MultiRegion: false, SigningAlgorithms: algorithmsOf(key), Description: '',
        },
      };
    },
    Sign(body) {
      const key = find(requireString(body, 'KeyId'));
      const algorithm = requireString(body, 'SigningAlgorithm');
      const message = Buffer.from(requireString(body, 'Message'), 'base64');
      if (message.length > 4096) throw new KmsError('ValidationException', "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096");
      if (!algorithmsOf(key).includes(algorithm)) throw new KmsError('InvalidKeyUsageException', `You cannot use the signing algorithm ${algorithm} with key ${key.arn}.`);
      const hash = HASH_PREFIX[algorithm];
      if (hash === undefined) throw new KmsError('UnsupportedOperationException', `The loopback KMS signs only RSASSA_PKCS1_V1_5_*, not ${algorithm}.`);
      const messageType = body['MessageType'] ?? 'RAW';
      const digest = messageType === 'DIGEST' ? message : createHash(hash.name).update(message).digest();
      if (digest.length !== hash.length) throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
      const signature = privateEncrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(hash.oid, 'hex'), digest]));
      return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
    },
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const send = (status: number, payload: Record<string, unknown>): void => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }).end(JSON.stringify(payload));
    };
    try {
      if (fault === 'throttled') throw new KmsError('ThrottlingException', 'Rate exceeded');
      if (fault === 'internal-error') throw new KmsError('KMSInternalException', 'An internal error occurred.', 500);
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = /^TrentService\.(\w+)$/.exec(target)?.[1];
      if (request.method !== 'POST' || operation === undefined) throw new KmsError('UnknownOperationException', '');
      checkSigV4(request, body, region, accessKeyId, secretAccessKey);
      const run = operations[operation];
      if (run === undefined) throw new KmsError('UnknownOperationException', '');
      calls.push(target);
      send(200, run(JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>));
    } catch (error) {
      if (!(error instanceof KmsError)) throw error;
      send(error.status, { __type: error.type, message: error.message });
    }
  }

  const server: Server = createServer((request, response) => {
    if (fault === 'unreachable') {
      request.socket.destroy();
      return;
    }
    handle(request, response).catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    accessKeyId,
    secretAccessKey,
    calls,
    addKey(spec, alias, imported) {
      const keyId = randomUUID();
      const privateKey = imported ?? generate(spec);
      const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      const key: StoredKey = { keyId, arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`, privateKey, publicKey, spec, created: Math.floor(Date.now() / 1000) };
      keys.set(keyId, key);
      if (alias !== undefined) aliases.set(alias, keyId);
      return key;
    },
    fail(next) {
      fault = next;
      if (next === 'unreachable') for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
