// SPDX-License-Identifier: MIT
// A loopback Azure Key Vault and Entra ID token endpoint for tests, written from the public REST
// references (Key Vault 7.x/2025 API: certificates get, keys get and sign; the bearer challenge;
// the OAuth 2.0 client-credentials grant with a secret or a federated workload identity token) and
// a managed identity endpoint (IMDS `/metadata/identity/oauth2/token`, App Service
// `IDENTITY_ENDPOINT`), kept honest by the unmodified Azure SDKs that call them.

import { constants, createHash, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A certificate the vault holds, and the key its key id points at. */
export interface VaultCertificate {
  /** DER X.509. */
  readonly certificate: Uint8Array;
  /** The private key behind the certificate's key id (a different key makes a mismatch). */
  readonly key: KeyObject;
}

/** How the vault misbehaves: answers 429 or 503 to every vault call, or drops connections. */
export type VaultFailure = 'throttled' | 'unavailable' | 'unreachable' | undefined;

/** A running loopback vault. */
export interface TestKeyVault {
  /** `https://127.0.0.1:<port>`: the vault URL and the authority host alike. */
  readonly url: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The workload identity token Entra ID accepts as client assertion for `clientId` (the content of AZURE_FEDERATED_TOKEN_FILE). */
  readonly federatedToken: string;
  /** `http://127.0.0.1:<port>`: the managed identity endpoint (AZURE_POD_IDENTITY_AUTHORITY_HOST for IMDS). */
  readonly identityUrl: string;
  /** The App Service managed identity endpoint (IDENTITY_ENDPOINT) and its secret header (IDENTITY_HEADER). */
  readonly appService: { readonly endpoint: string; readonly header: string };
  /** The client id of the user-assigned managed identity the identity endpoint knows (besides the system-assigned one). */
  readonly managedIdentityClientId: string;
  /** Stores a new version of certificate `name` (and of its key) and returns the version. */
  addCertificate(name: string, entry: VaultCertificate, options?: { readonly disabled?: boolean }): string;
  /** Makes every later vault call fail in the given way, or work again. */
  fail(failure: VaultFailure): void;
  /** `METHOD path` of every vault call that carried a valid token, in order. */
  readonly calls: string[];
  /** Vault requests received, answered or not (failures and the bearer challenge included). */
  readonly requests: () => number;
  /** `grant: client` of every token the token endpoints issued or refused, in order (`imds: system`, `workload: <client id>`, ...). */
  readonly tokenRequests: string[];
  close(): Promise<void>;
}

/** The DigestInfo prefix of each RS* algorithm (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Record<string, { prefix: string; length: number }> = {
  RS256: { prefix: '3031300d060960864801650304020105000420', length: 32 },
  RS384: { prefix: '3041300d060960864801650304020205000430', length: 48 },
  RS512: { prefix: '3051300d060960864801650304020305000440', length: 64 },
};

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

function vaultError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  send(response, status, { error: { code, message } }, headers);
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON web key (public part) of `key`, with Key Vault's HSM key types. */
function jsonWebKey(key: KeyObject, kid: string): Record<string, unknown> {
  const jwk = key.export({ format: 'jwk' });
  const hsm = jwk.kty === 'RSA' ? { kty: 'RSA-HSM', n: jwk.n, e: jwk.e } : { kty: 'EC-HSM', crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { kid, key_ops: ['sign', 'verify'], ...hsm };
}

/** A workload identity token as the Kubernetes token projection writes it: a JWT (unsigned here; the fake compares it whole). */
function workloadIdentityToken(subjectClientId: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud: ['api://AzureADTokenExchange'], iss: 'https://oidc.reposign.test/', sub: 'system:serviceaccount:reposign:reposign', azp: subjectClientId, iat: now, nbf: now, exp: now + 86_400 };
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}

/** Starts the vault on 127.0.0.1 with the TLS certificate and key at the given paths. */
export async function startTestKeyVault(tls: { readonly certPath: string; readonly keyPath: string }): Promise<TestKeyVault> {
  const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const clientId = 'c0ffee00-0000-4000-8000-000000000001';
  const clientSecret = randomBytes(16).toString('hex');
  const managedIdentityClientId = 'c0ffee00-0000-4000-8000-00000000000a';
  const federatedToken = workloadIdentityToken(clientId);
  const appServiceHeader = randomBytes(16).toString('hex');
  const tokens = new Set<string>();
  const versions = new Map<string, { version: string; entry: VaultCertificate; disabled: boolean }[]>();
  const calls: string[] = [];
  const tokenRequests: string[] = [];
  let requests = 0;
  let failure: VaultFailure;
  let url = '';

  const entryOf = (name: string, version: string | undefined) => {
    const list = versions.get(name) ?? [];
    return version === undefined || version === '' ? list[list.length - 1] : list.find((item) => item.version === version);
  };

  const issueToken = (): string => {
    const accessToken = randomBytes(24).toString('base64url');
    tokens.add(accessToken);
    return accessToken;
  };

  /** The v2.0 token endpoint: client credentials with a secret, or with a federated token as JWT-bearer client assertion (workload identity). */
  async function token(request: IncomingMessage, response: ServerResponse, tenant: string): Promise<void> {
    const form = new URLSearchParams(await body(request));
    const assertion = form.get('client_assertion');
    const workload = form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    tokenRequests.push(`${workload ? 'workload' : 'secret'}: ${form.get('client_id') ?? ''}`);
    if (form.get('grant_type') !== 'client_credentials' || form.get('scope') === null) {
      send(response, 400, { error: 'invalid_request', error_description: 'AADSTS900144: The request body must contain the following parameters: grant_type, scope.', error_codes: [900144] });
      return;
    }
    if (tenant !== tenantId || form.get('client_id') !== clientId) {
      send(response, 400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`, error_codes: [700016] });
      return;
    }
    if (workload && assertion !== federatedToken) {
      send(response, 401, { error: 'invalid_client', error_description: 'AADSTS700213: No matching federated identity record found for presented assertion subject.', error_codes: [700213] });
      return;
    }
    if (!workload && form.get('client_secret') !== clientSecret) {
      send(response, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
      return;
    }
    send(response, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: issueToken() });
  }

  /**
   * The managed identity endpoint: IMDS (`GET /metadata/identity/oauth2/token`, header `Metadata: true`,
   * api-version 2018-02-01) and App Service (`GET /msi/token`, header `X-IDENTITY-HEADER`, api-version
   * 2019-08-01). Both take `resource` and, for a user-assigned identity, `client_id`; IMDS answers
   * with numbers as strings, as it does.
   */
  function managedIdentityToken(request: IncomingMessage, response: ServerResponse): void {
    const query = new URL(request.url ?? '/', 'http://identity').searchParams;
    const imds = (request.url ?? '').startsWith('/metadata/');
    const identity = query.get('client_id') ?? 'system';
    tokenRequests.push(`${imds ? 'imds' : 'app-service'}: ${identity}`);
    if (request.method !== 'GET') return send(response, 405, { error: 'invalid_request', error_description: 'Method not allowed' });
    if (imds ? request.headers['metadata'] !== 'true' : request.headers['x-identity-header'] !== appServiceHeader) {
      return send(response, imds ? 400 : 401, { error: 'invalid_request', error_description: imds ? 'Required metadata header not specified' : 'The identity header is missing or wrong' });
    }
    if (query.get('api-version') !== (imds ? '2018-02-01' : '2019-08-01') || query.get('resource') === null) {
      return send(response, 400, { error: 'invalid_request', error_description: 'Required query parameters api-version and resource are missing or wrong' });
    }
    if (identity !== 'system' && identity !== managedIdentityClientId) return send(response, 400, { error: 'invalid_request', error_description: 'Identity not found' });
    const expiresOn = String(Math.floor(Date.now() / 1000) + 86_399);
    return send(response, 200, {
      access_token: issueToken(),
      client_id: identity === 'system' ? 'c0ffee00-0000-4000-8000-00000000000b' : identity,
      expires_in: '86399',
      expires_on: expiresOn,
      ext_expires_in: '86399',
      not_before: String(Math.floor(Date.now() / 1000)),
      resource: query.get('resource') ?? '',
      token_type: 'Bearer',
    });
  }

  function openIdConfiguration(response: ServerResponse, tenant: string): void {
    const base = `${url}/${tenant}`;
    send(response, 200, {
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'token'],
    });
  }

  async function vault(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !tokens.has(bearer)) {
      await body(request);
      vaultError(response, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', {
        'www-authenticate': `Bearer authorization="${url}/${tenantId}", resource="https://vault.azure.net"`,
      });
      return;
    }
    if (failure === 'throttled') return vaultError(response, 429, 'Throttled', 'Operations per second is over the vault limit.', { 'retry-after': '1' });
    if (failure === 'unavailable') return vaultError(response, 503, 'ServiceUnavailable', 'The service is temporarily unavailable.');
    calls.push(`${request.method ?? ''} ${path}`);
    const certificate = /^\/certificates\/([^/]+)(?:\/([^/]*))?\/?$/.exec(path);
    if (request.method === 'GET' && certificate !== null) return getCertificate(response, certificate[1] ?? '', certificate[2]);
    const key = /^\/keys\/([^/]+)\/([^/]+)(\/sign)?$/.exec(path);
    const found = key === null ? undefined : entryOf(key[1] ?? '', key[2]);
    if (key === null || found === undefined) return vaultError(response, 404, 'KeyNotFound', `A key with (name/id) ${path} was not found in this key vault.`);
    const kid = `${url}/keys/${key[1] ?? ''}/${found.version}`;
    if (found.disabled) {
      await body(request);
      return send(response, 403, { error: { code: 'Forbidden', message: `Operation ${key[3] === undefined ? 'get' : 'sign'} is not allowed on a disabled key.`, innererror: { code: 'KeyDisabled' } } });
    }
    if (request.method === 'GET' && key[3] === undefined) return send(response, 200, { key: jsonWebKey(found.entry.key, kid), attributes: { enabled: true, exportable: false } });
    if (request.method !== 'POST' || key[3] === undefined) return vaultError(response, 405, 'BadParameter', 'Method not allowed.');
    return sign(response, found.entry.key, kid, await body(request));
  }

  function getCertificate(response: ServerResponse, name: string, version: string | undefined): void {
    const found = entryOf(name, version);
    if (found === undefined) return vaultError(response, 404, 'CertificateNotFound', `A certificate with (name/id) ${name} was not found in this key vault.`);
    const cer = Buffer.from(found.entry.certificate);
    return send(response, 200, {
      id: `${url}/certificates/${name}/${found.version}`,
      kid: `${url}/keys/${name}/${found.version}`,
      sid: `${url}/secrets/${name}/${found.version}`,
      x5t: createHash('sha1').update(cer).digest('base64url'),
      cer: cer.toString('base64'),
      attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_000, recoveryLevel: 'Recoverable' },
    });
  }

  function sign(response: ServerResponse, key: KeyObject, kid: string, text: string): void {
    const { alg, value } = JSON.parse(text) as { alg?: string; value?: string };
    const digest = Buffer.from(value ?? '', 'base64url');
    const info = DIGEST_INFO[alg ?? ''];
    if (info === undefined || key.asymmetricKeyType !== 'rsa' || digest.length !== info.length) {
      return vaultError(response, 400, 'BadParameter', `Invalid algorithm or digest length for ${alg ?? '(none)'}.`);
    }
    const signature = privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(info.prefix, 'hex'), digest]));
    return send(response, 200, { kid, value: signature.toString('base64url') });
  }

  const server: Server = createServer({ cert: await readFile(tls.certPath), key: await readFile(tls.keyPath) }, (request, response) => {
    const path = new URL(request.url ?? '/', 'https://vault').pathname;
    const identity = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(path);
    if (identity !== null) {
      if ((identity[2] ?? '').startsWith('oauth2')) void token(request, response, identity[1] ?? '');
      else openIdConfiguration(response, identity[1] ?? '');
      return;
    }
    requests += 1;
    if (failure === 'unreachable') {
      request.socket.destroy();
      return;
    }
    vault(request, response, path).catch((error: unknown) => vaultError(response, 500, 'InternalError', String(error)));
  });
  const identityServer = createHttpServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://identity').pathname;
    // MSAL joins AZURE_POD_IDENTITY_AUTHORITY_HOST and the token path into `.../token/`; IMDS takes both.
    if (/^\/metadata\/identity\/oauth2\/token\/?$/.test(path) || path === '/msi/token') return managedIdentityToken(request, response);
    return send(response, 404, { error: 'not_found', error_description: `No such endpoint ${path}` });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  await new Promise<void>((resolveListen) => identityServer.listen(0, '127.0.0.1', resolveListen));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const identityUrl = `http://127.0.0.1:${(identityServer.address() as AddressInfo).port}`;
  const closeServer = (closing: Server | ReturnType<typeof createHttpServer>) =>
    new Promise<void>((resolveClose) => {
      closing.closeAllConnections();
      closing.close(() => resolveClose());
    });
  return {
    url,
    tenantId,
    clientId,
    clientSecret,
    federatedToken,
    identityUrl,
    appService: { endpoint: `${identityUrl}/msi/token`, header: appServiceHeader },
    managedIdentityClientId,
    calls,
    requests: () => requests,
    tokenRequests,
    addCertificate(name, entry, options = {}) {
      const version = randomBytes(16).toString('hex');
      versions.set(name, [...(versions.get(name) ?? []), { version, entry, disabled: options.disabled ?? false }]);
      return version;
    },
    fail(next) {
      failure = next;
    },
    close: async () => {
      await Promise.all([closeServer(server), closeServer(identityServer)]);
    },
  };
}
