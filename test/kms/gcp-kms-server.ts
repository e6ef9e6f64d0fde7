// SPDX-License-Identifier: MIT
// A loopback Google Cloud KMS for tests: a gRPC server built from the service's own protos (shipped
// in @google-cloud/kms) that implements GetCryptoKey, ListCryptoKeyVersions, GetPublicKey and
// AsymmetricSign with their CRC32C fields, checks the caller's self-signed service-account JWT,
// and holds real keys. Written from the public API reference; the unmodified SDK keeps it honest.

import { constants, createPublicKey, createVerify, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

import { crc32c } from '../../signing/src/providers/gcp-kms/crc32c.js';

const require = createRequire(import.meta.url);

/** One version of a crypto key. */
export interface KmsKeyVersion {
  readonly key: KeyObject;
  /** e.g. RSA_SIGN_PKCS1_2048_SHA256, EC_SIGN_P256_SHA256. */
  readonly algorithm: string;
  readonly protectionLevel: 'HSM' | 'SOFTWARE';
  readonly state?: 'ENABLED' | 'DISABLED';
}

/** How the service misbehaves: RESOURCE_EXHAUSTED or UNAVAILABLE for every call, or not at all. */
export type KmsFailure = 'throttled' | 'unavailable' | undefined;

/** A running loopback Cloud KMS. */
export interface TestCloudKms {
  /** `127.0.0.1:<port>`, for ApiEndpoint. */
  readonly endpoint: string;
  /** A service-account key file the service accepts. */
  readonly serviceAccountKeyPath: string;
  /** A well-formed service-account key file of an account the service does not know. */
  readonly unknownServiceAccountKeyPath: string;
  /** Adds crypto key `path` (projects/…/cryptoKeys/K) with versions 1..n. */
  addKey(path: string, versions: readonly KmsKeyVersion[]): void;
  fail(failure: KmsFailure): void;
  /** Method names of the calls that passed authentication, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

const DIGEST_INFO: Record<string, { prefix: string; field: string }> = {
  SHA256: { prefix: '3031300d060960864801650304020105000420', field: 'sha256' },
  SHA512: { prefix: '3051300d060960864801650304020305000440', field: 'sha512' },
};

type Callback = (error: grpc.ServiceError | Partial<grpc.StatusObject> | null, value?: unknown) => void;
type Call = grpc.ServerUnaryCall<Record<string, unknown>, unknown>;

async function serviceAccountKey(dir: string, name: string): Promise<{ path: string; publicKey: KeyObject }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(dir, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      type: 'service_account',
      project_id: 'reposign-test',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: `${name}@reposign-test.iam.gserviceaccount.com`,
      client_id: '100000000000000000001',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
  );
  return { path, publicKey };
}

/** True when `authorization` is a JWT signed with `publicKey` (the SDK signs its own token with the key file). */
function authorized(metadata: grpc.Metadata, publicKey: KeyObject): boolean {
  const token = /^Bearer (.+)$/.exec(String(metadata.get('authorization')[0] ?? ''))?.[1];
  const [header, payload, signature] = (token ?? '').split('.');
  if (header === undefined || payload === undefined || signature === undefined) return false;
  return createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(publicKey, Buffer.from(signature, 'base64url'));
}

/** Starts the service on 127.0.0.1 over TLS with the certificate and key at the given paths; key files go to `dir`. */
export async function startTestCloudKms(dir: string, tls: { readonly certPath: string; readonly keyPath: string }): Promise<TestCloudKms> {
  const protos = join(dirname(require.resolve('@google-cloud/kms/package.json')), 'build/protos');
  // google-gax exports no package.json; its main module is build/src/index.js.
  const gaxProtos = join(dirname(require.resolve('google-gax')), '../protos');
  const definition = loadSync('google/cloud/kms/v1/service.proto', { includeDirs: [protos, gaxProtos], keepCase: false, longs: String, enums: String, defaults: false, oneofs: true });
  const service = (grpc.loadPackageDefinition(definition) as unknown as { google: { cloud: { kms: { v1: { KeyManagementService: { service: grpc.ServiceDefinition } } } } } }).google.cloud.kms.v1
    .KeyManagementService.service;
  const account = await serviceAccountKey(dir, 'signer');
  const stranger = await serviceAccountKey(dir, 'stranger');
  const keys = new Map<string, KmsKeyVersion[]>();
  const calls: string[] = [];
  let failure: KmsFailure;

  const versionOf = (name: string) => {
    const match = /^(.+)\/cryptoKeyVersions\/(\d+)$/.exec(name);
    const version = match === null ? undefined : keys.get(match[1] ?? '')?.[Number(match[2]) - 1];
    return version === undefined ? undefined : { version, cryptoKey: match?.[1] ?? '' };
  };
  const notFound = (name: string) => ({ code: grpc.status.NOT_FOUND, details: `${name} not found.` });

  function handler(method: string, run: (request: Record<string, unknown>) => unknown) {
    return (call: Call, callback: Callback) => {
      if (!authorized(call.metadata, account.publicKey)) return callback({ code: grpc.status.UNAUTHENTICATED, details: 'Request had invalid authentication credentials.' });
      if (failure === 'throttled') return callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'Quota exceeded for quota metric cryptographic requests.' });
      if (failure === 'unavailable') return callback({ code: grpc.status.UNAVAILABLE, details: 'The service is currently unavailable.' });
      calls.push(method);
      const result = run(call.request);
      return 'code' in (result as object) ? callback(result as grpc.StatusObject) : callback(null, result);
    };
  }

  const versionResource = (name: string, version: KmsKeyVersion) => ({ name, state: version.state ?? 'ENABLED', protectionLevel: version.protectionLevel, algorithm: version.algorithm });
  const implementation: grpc.UntypedServiceImplementation = {
    getCryptoKey: handler('GetCryptoKey', ({ name }) => {
      const versions = keys.get(String(name));
      if (versions === undefined) return notFound(String(name));
      // Asymmetric keys have no primary version.
      return { name, purpose: 'ASYMMETRIC_SIGN', versionTemplate: { algorithm: versions[0]?.algorithm, protectionLevel: versions[0]?.protectionLevel } };
    }),
    listCryptoKeyVersions: handler('ListCryptoKeyVersions', ({ parent, filter }) => {
      const versions = keys.get(String(parent));
      if (versions === undefined) return notFound(String(parent));
      const all = versions.map((version, index) => versionResource(`${String(parent)}/cryptoKeyVersions/${index + 1}`, version));
      const listed = filter === 'state=ENABLED' ? all.filter((version) => version.state === 'ENABLED') : all;
      return { cryptoKeyVersions: listed, totalSize: listed.length, nextPageToken: '' };
    }),
    getPublicKey: handler('GetPublicKey', ({ name }) => {
      const found = versionOf(String(name));
      if (found === undefined) return notFound(String(name));
      const pem = createPublicKey(found.version.key).export({ type: 'spki', format: 'pem' });
      return { name, pem, pemCrc32c: { value: String(crc32c(Buffer.from(pem))) }, algorithm: found.version.algorithm, protectionLevel: found.version.protectionLevel };
    }),
    asymmetricSign: handler('AsymmetricSign', ({ name, digest, digestCrc32c }) => {
      const found = versionOf(String(name));
      if (found === undefined) return notFound(String(name));
      const hash = /_(SHA\d+)$/.exec(found.version.algorithm)?.[1] ?? '';
      const info = DIGEST_INFO[hash];
      const bytes = (digest as Record<string, Buffer | undefined> | undefined)?.[info?.field ?? ''];
      if (info === undefined || !found.version.algorithm.startsWith('RSA_SIGN_PKCS1_') || bytes === undefined) {
        return { code: grpc.status.INVALID_ARGUMENT, details: `Digest type does not match algorithm ${found.version.algorithm}.` };
      }
      const expected = (digestCrc32c as { value?: string } | undefined)?.value;
      if (expected !== undefined && Number(expected) !== crc32c(bytes)) return { code: grpc.status.INVALID_ARGUMENT, details: 'Digest checksum mismatch.' };
      const signature = privateEncrypt({ key: found.version.key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(info.prefix, 'hex'), bytes]));
      return { name, signature, signatureCrc32c: { value: String(crc32c(signature)) }, verifiedDigestCrc32c: expected !== undefined, protectionLevel: found.version.protectionLevel };
    }),
  };
  const server = new grpc.Server();
  server.addService(service, implementation);
  const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: await readFile(tls.certPath), private_key: await readFile(tls.keyPath) }], false);
  const port = await new Promise<number>((resolveBind, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolveBind(bound))));
  return {
    endpoint: `127.0.0.1:${port}`,
    serviceAccountKeyPath: account.path,
    unknownServiceAccountKeyPath: stranger.path,
    calls,
    addKey(path, versions) {
      keys.set(path, [...versions]);
    },
    fail(next) {
      failure = next;
    },
    close: () => new Promise<void>((resolveClose) => server.tryShutdown(() => resolveClose())),
  };
}

