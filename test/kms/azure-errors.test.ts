// SPDX-License-Identifier: MIT
// How the AzureKeyVault backend judges the Azure SDKs' own error classes (RestError from the
// pipeline, the @azure/identity errors): what the RemoteCaller retries, and the final error code and
// origin of the rest. The loopback vault test shows the same errors arriving from the real SDKs.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RestError } from '@azure/core-rest-pipeline';
import { AggregateAuthenticationError, AuthenticationError, CredentialUnavailableError } from '@azure/identity';

import { ReposignError } from '../../signing/src/errors.js';
import { classifyAzureFailure } from '../../signing/src/providers/azure-key-vault/azure-errors.js';

const ACTION = "signing with key https://v.vault.azure.net/keys/k/1";

function final(error: unknown): ReposignError {
  const failure = classifyAzureFailure(error, ACTION);
  assert.ok(failure instanceof ReposignError, `final, not ${String(failure)}`);
  return failure;
}

test('throttling, timeouts, 5xx and transport failures are retried', () => {
  assert.equal(classifyAzureFailure(new RestError('Operations per second is over the vault limit.', { statusCode: 429 }), ACTION), 'throttled');
  for (const statusCode of [408, 500, 502, 503, 504]) {
    assert.equal(classifyAzureFailure(new RestError('The service is temporarily unavailable.', { statusCode }), ACTION), 'unavailable', String(statusCode));
  }
  assert.equal(classifyAzureFailure(new RestError('socket hang up', { code: 'ECONNRESET' }), ACTION), 'unavailable');
  assert.equal(classifyAzureFailure(new RestError('connect ECONNREFUSED 127.0.0.1:1', { code: 'REQUEST_SEND_ERROR' }), ACTION), 'unavailable');
  // A token endpoint that throttles or fails is an outage too, not a credential problem.
  assert.equal(classifyAzureFailure(new AuthenticationError(503, { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred.' }), ACTION), 'unavailable');
  assert.equal(classifyAzureFailure(new AuthenticationError(429, { error: 'throttled', error_description: 'AADSTS50196: too many requests' }), ACTION), 'throttled');
});

test('credential failures are KEY_ACCESS_DENIED (origin key), naming the cause', () => {
  const refused = final(new AuthenticationError(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }));
  assert.equal(refused.code, 'KEY_ACCESS_DENIED');
  assert.equal(refused.origin, 'key');
  assert.match(refused.message, /no access token.*AADSTS7000215/);
  const unavailable = final(new CredentialUnavailableError('ManagedIdentityCredential: Authentication failed. Message invalid_request: Identity not found'));
  assert.equal(unavailable.code, 'KEY_ACCESS_DENIED');
  assert.match(unavailable.message, /Identity not found/);
  const chain = final(new AggregateAuthenticationError([new CredentialUnavailableError('EnvironmentCredential is unavailable.'), new AuthenticationError(401, { error: 'invalid_client', error_description: 'AADSTS700213: No matching federated identity record found.' })], 'ChainedTokenCredential authentication failed.'));
  assert.equal(chain.code, 'KEY_ACCESS_DENIED');
  assert.match(chain.message, /EnvironmentCredential is unavailable\..*AADSTS700213/, 'each credential of the chain is named');
  for (const statusCode of [401, 403]) {
    const denied = final(new RestError('Caller is not authorized to perform action on resource.', { statusCode }));
    assert.equal(denied.code, 'KEY_ACCESS_DENIED');
    assert.match(denied.message, new RegExp(`HTTP ${statusCode}.*keys sign permissions`));
  }
});

test('a disabled key, a missing key and other refusals are final with their own codes', () => {
  const disabled = final(Object.assign(new RestError('Operation sign is not allowed on a disabled key.', { statusCode: 403 }), { details: { error: { code: 'Forbidden', innererror: { code: 'KeyDisabled' } } } }));
  assert.equal(disabled.code, 'KEY_LOAD_FAILED');
  assert.match(disabled.message, /the key is disabled/);
  const missing = final(new RestError('A key with (name/id) k was not found in this key vault.', { statusCode: 404 }));
  assert.equal(missing.code, 'KEY_NOT_FOUND');
  assert.equal(missing.origin, 'key');
  const refused = final(new RestError('Invalid algorithm or digest length for RS256.', { statusCode: 400 }));
  assert.equal(refused.code, 'SIGNING_FAILED');
  assert.match(refused.message, new RegExp(`${ACTION.replace(/[./]/g, '\\$&')} failed \\(HTTP 400`));
  const already = new ReposignError('KEY_UNSUPPORTED', 'an EC key');
  assert.equal(classifyAzureFailure(already, ACTION), already, 'a ReposignError passes through');
});
