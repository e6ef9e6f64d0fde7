// SPDX-License-Identifier: MIT
// The environments in which the Azure SDK's Default and ManagedIdentity credentials find the
// loopback token endpoints of the test vault, and a loopback guard for the processes that use them:
// a preloaded module that refuses every TCP connection to a non-loopback host, so no test can fall
// through to the real IMDS (169.254.169.254) or to Entra ID.

import type { TestKeyVault } from './azure-key-vault-server.js';

/** What the guard writes to stderr when it refuses a connection. */
export const GUARD_MARK = 'loopback guard: blocked a connection to';

/** The guard, plain JavaScript (it is preloaded before any loader): net.Socket#connect refuses non-loopback hosts. */
const GUARD_SOURCE = `import net from 'node:net';
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function loopbackOnlyConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  const host = String(options.host ?? 'localhost').replace(/^\\[|\\]$/g, '');
  if (!options.path && !/^(localhost|127(\\.\\d{1,3}){3}|::1|::ffff:127(\\.\\d{1,3}){3})$/i.test(host)) {
    process.stderr.write('${GUARD_MARK} ' + host + ':' + String(options.port) + '\\n');
    process.nextTick(() => this.destroy(new Error('loopback guard: ' + host + ' is not a loopback address')));
    return this;
  }
  return connect.apply(this, args);
};
`;

/** NODE_OPTIONS that preload the guard into a child process. */
export const LOOPBACK_ONLY_NODE_OPTIONS = `--import=data:text/javascript,${encodeURIComponent(GUARD_SOURCE)}`;

/**
 * ManagedIdentity through the IMDS protocol: AZURE_POD_IDENTITY_AUTHORITY_HOST moves the IMDS
 * endpoint that MSAL uses from 169.254.169.254 to the vault's loopback identity endpoint.
 */
export function imdsEnvironment(vault: TestKeyVault): Record<string, string> {
  return { AZURE_POD_IDENTITY_AUTHORITY_HOST: vault.identityUrl, NODE_OPTIONS: LOOPBACK_ONLY_NODE_OPTIONS };
}

/** ManagedIdentity through the App Service protocol (IDENTITY_ENDPOINT and IDENTITY_HEADER); IMDS stays on loopback too. */
export function appServiceEnvironment(vault: TestKeyVault): Record<string, string> {
  return { ...imdsEnvironment(vault), IDENTITY_ENDPOINT: vault.appService.endpoint, IDENTITY_HEADER: vault.appService.header };
}

/**
 * Default through workload identity, as the AKS webhook sets it up: the projected token file, the
 * client and tenant ids and the authority host; IMDS stays on loopback should the chain reach it.
 */
export function workloadIdentityEnvironment(vault: TestKeyVault, tokenFile: string): Record<string, string> {
  return { ...imdsEnvironment(vault), AZURE_FEDERATED_TOKEN_FILE: tokenFile, AZURE_CLIENT_ID: vault.clientId, AZURE_TENANT_ID: vault.tenantId, AZURE_AUTHORITY_HOST: vault.url };
}
