// SPDX-License-Identifier: MIT
// The remote-key resilience: retries with back-off on throttling and outages, final errors passed
// through, the circuit breaker's open / half-open / closed cycle, and lazy SDK loading.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { ReposignError } from '../../../../src/errors.js';
import { RemoteCaller, type RemoteFailure, type ResilienceClock } from '../../../../src/providers/remote/resilience.js';

function fakeClock(): ResilienceClock & { advance(ms: number): void; slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { now: () => now, sleep: async (ms) => void slept.push(ms), advance: (ms) => void (now += ms), slept };
}

const never = new AbortController().signal;
const service = (classify: (error: unknown) => RemoteFailure = () => 'unavailable') => ({ name: 'test KMS key k', classify });

test('retries throttling with growing back-off, then succeeds', async () => {
  const clock = fakeClock();
  const caller = new RemoteCaller(service(() => 'throttled'), { maxAttempts: 4, baseDelayMs: 100 }, clock);
  let calls = 0;
  const result = await caller.call('Sign', async () => (++calls < 3 ? Promise.reject(new Error('Rate exceeded')) : 'signed'), never);
  assert.equal(result, 'signed');
  assert.equal(calls, 3);
  assert.equal(clock.slept.length, 2);
  assert.ok(clock.slept[0] >= 50 && clock.slept[0] <= 100 && clock.slept[1] >= 100 && clock.slept[1] <= 200, String(clock.slept));
});

test('used-up attempts end as SIGNING_UNAVAILABLE naming the service and the last failure', async () => {
  const caller = new RemoteCaller(service(() => 'throttled'), { maxAttempts: 2 }, fakeClock());
  await assert.rejects(caller.call('Sign', async () => Promise.reject(new Error('Rate exceeded')), never), (error: unknown) => {
    assert.ok(error instanceof ReposignError && error.code === 'SIGNING_UNAVAILABLE' && error.origin === 'service');
    assert.match(error.message, /test KMS key k is throttling requests: Sign failed 2 times \(Rate exceeded\)/);
    return true;
  });
});

test('final errors are thrown at once, without retries', async () => {
  const denied = new ReposignError('KEY_ACCESS_DENIED', 'no');
  const caller = new RemoteCaller(service(() => denied), {}, fakeClock());
  let calls = 0;
  await assert.rejects(caller.call('Sign', async () => Promise.reject(new Error(String(++calls))), never), denied);
  assert.equal(calls, 1);
});

test('an attempt that does not answer in time is aborted and retried', async () => {
  const caller = new RemoteCaller(service(), { attemptTimeoutMs: 100, maxAttempts: 2 }, fakeClock());
  let calls = 0;
  const result = await caller.call(
    'Sign',
    (signal) => (++calls === 1 ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) : Promise.resolve('ok')),
    never,
  );
  assert.equal(result, 'ok');
});

test('the circuit opens after consecutive failures, fails fast, probes once after the cool-down, and closes', async () => {
  const clock = fakeClock();
  const caller = new RemoteCaller(service(), { maxAttempts: 1, failureThreshold: 2, openMs: 1000 }, clock);
  let up = false;
  let calls = 0;
  const operation = async (): Promise<string> => {
    calls += 1;
    if (!up) throw new Error('ECONNREFUSED');
    return 'ok';
  };
  for (let i = 0; i < 2; i += 1) await assert.rejects(caller.call('Sign', operation, never), { code: 'SIGNING_UNAVAILABLE' });
  assert.equal(caller.state, 'open');
  await assert.rejects(caller.call('Sign', operation, never), /was not attempted after 2 consecutive failures; the next attempt is in 1 s/);
  assert.equal(calls, 2);
  clock.advance(1000);
  assert.equal(caller.state, 'half-open');
  await assert.rejects(caller.call('Sign', operation, never), { code: 'SIGNING_UNAVAILABLE' });
  assert.equal(caller.state, 'open', 'a failed probe opens the circuit again');
  clock.advance(1000);
  up = true;
  assert.equal(await caller.call('Sign', operation, never), 'ok');
  assert.equal(caller.state, 'closed');
});

test('the caller aborting stops retries with its own reason', async () => {
  const controller = new AbortController();
  const caller = new RemoteCaller(service(), { maxAttempts: 5 }, fakeClock());
  const reason = new ReposignError('SIGNING_TIMEOUT', 'late');
  await assert.rejects(
    caller.call('Sign', async () => {
      controller.abort(reason);
      throw new Error('ECONNRESET');
    }, controller.signal),
    reason,
  );
});

/** Modules a process resolved whose URL names a cloud SDK or the PKCS#11 addon, seen by a loader hook (ESM and CommonJS alike). */
function sdkModulesLoaded(script: string): string[] {
  const hook = `export async function resolve(specifier, context, next) {
    const resolved = await next(specifier, context);
    if (/@aws-sdk|@smithy|pkcs11js|@azure|@google-cloud|google-gax/.test(resolved.url)) process.stderr.write('SDK ' + resolved.url + '\\n');
    return resolved;
  }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const run = spawnSync(
    process.execPath,
    ['--conditions=development', '--import', `data:text/javascript,${encodeURIComponent(register)}`, '--import', 'tsx', '--input-type=module', '--eval', script],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  return run.stderr.split('\n').filter((line) => line.startsWith('SDK '));
}

test('a SelfSigned install never loads a cloud SDK or the PKCS#11 addon; opening AwsKms does', () => {
  const registry = `const { signingProviders } = await import('@reposign/signing');
    if (!signingProviders().some((provider) => provider.kind === 'AwsKms')) throw new Error('AwsKms is not registered');`;
  assert.deepEqual(sdkModulesLoaded(registry), []);
  // The control: the hook does see the SDK once a backend's open loads it.
  const opened = sdkModulesLoaded(`${registry}
    const { signingProvider } = await import('@reposign/signing');
    const settings = { region: 'eu-west-1', keyId: 'alias/x', signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', certificatePath: '', accessKeyId: 'a', endpoint: 'http://127.0.0.1:9', resilience: { maxAttempts: 1 } };
    const context = { settingName: (field) => field, modeSetting: 'Mode', password: { value: 's', key: 'k' }, passwordSetting: 'p' };
    await signingProvider('AwsKms').open(settings, context).catch(() => undefined);`);
  assert.ok(opened.some((line) => line.includes('@aws-sdk/client-kms')), opened.join('\n'));
});
