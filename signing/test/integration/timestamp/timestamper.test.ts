// SPDX-License-Identifier: MIT
// The timestamp client against a real RFC 3161 authority (`openssl ts -reply` behind the loopback test
// TSA), whose tokens must also pass `openssl ts -verify`.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isReposignError } from '../../../src/errors.js';
import { createTimestamper, readTimestampToken } from '../../../src/timestamp/index.js';
import { createTimestampRequest } from '../../../src/timestamp/request.js';
import { readTimestampResponse } from '../../../src/timestamp/response.js';
import { runOpenssl } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { startTsa, type TestTsa } from '../../helpers/tsa-server.js';

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

describe('timestamp client against an openssl TSA', () => {
  let good: TestTsa;
  let faulty: TestTsa;
  let dir: string;
  before(async () => {
    [good, faulty, dir] = await Promise.all([startTsa(), startTsa(), makeTempDir('timestamp-it')]);
  });
  after(async () => {
    await Promise.all([good.close(), faulty.close(), removeTempDir(dir)]);
  });

  /** Runs `openssl ts -verify` on a token for the given hex imprint. */
  async function opensslVerify(token: Uint8Array, digestHex: string): Promise<string> {
    const tokenPath = join(dir, `${randomBytes(4).toString('hex')}.der`);
    await writeFile(tokenPath, token);
    return runOpenssl(['ts', '-verify', '-token_in', '-in', tokenPath, '-digest', digestHex,
      '-CAfile', good.rootCertPath, '-untrusted', good.tsaCertPath]);
  }

  it('returns a token that openssl ts -verify accepts and readTimestampToken re-validates', async () => {
    const signatureValue = randomBytes(256);
    const timestamper = createTimestamper({ urls: [good.url] });
    assert.ok(timestamper);
    const started = Date.now();
    const token = await timestamper.timestamp(signatureValue);
    assert.equal(token.url, good.url);
    assert.equal(token.policy, '1.2.3.4.1');
    assert.equal(token.accuracyMs, 1000);
    assert.deepEqual(token.tsaCertificate, good.tsa.certDer);
    assert.ok(Math.abs(token.genTime.getTime() - started) < 5_000, `genTime ${token.genTime.toISOString()}`);

    assert.match(await opensslVerify(token.der, createHash('sha256').update(signatureValue).digest('hex')), /Verification: OK/);
    await assert.rejects(opensslVerify(token.der, createHash('sha256').update('other').digest('hex')));

    const reread = await readTimestampToken(token.der, signatureValue);
    assert.equal(reread.genTime.getTime(), token.genTime.getTime());
    assert.deepEqual(reread.tsaCertificate, good.tsa.certDer);
    await assert.rejects(readTimestampToken(token.der, randomBytes(256)), (error: unknown) =>
      isReposignError(error, 'TIMESTAMP_INVALID') && error.nugetCode === 'NU3019',
    );
  });

  it('imprints with SHA384 and SHA512 when asked', async () => {
    const signatureValue = randomBytes(384);
    for (const [hashAlgorithm, nodeName] of [['SHA384', 'sha384'], ['SHA512', 'sha512']] as const) {
      const token = await createTimestamper({ urls: [good.url], hashAlgorithm })?.timestamp(signatureValue);
      assert.ok(token);
      assert.match(await opensslVerify(token.der, createHash(nodeName).update(signatureValue).digest('hex')), /Verification: OK/);
    }
  });

  it('accepts an openssl token that carries signing-certificate (v1) instead of v2', async () => {
    const config = [
      '[tsa]', 'default_tsa = v1', '[v1]', 'serial = ./v1serial', 'crypto_device = builtin',
      `signer_cert = ${good.tsaCertPath}`, `signer_key = ${good.tsa.keyPath}`, `certs = ${good.rootCertPath}`,
      'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'digests = sha256', 'accuracy = secs:1',
      'ess_cert_id_alg = sha1', '',
    ].join('\n');
    await writeFile(join(dir, 'v1serial'), '01\n');
    await writeFile(join(dir, 'tsa-v1.cnf'), config);
    const signatureValue = randomBytes(256);
    const request = createTimestampRequest(signatureValue, 'SHA256');
    await writeFile(join(dir, 'v1.tsq'), request.der);
    await runOpenssl(['ts', '-reply', '-config', join(dir, 'tsa-v1.cnf'), '-queryfile', 'v1.tsq', '-out', 'v1.tsr'], { cwd: dir });
    const der = readTimestampResponse(new Uint8Array(await readFile(join(dir, 'v1.tsr'))));
    const text = await runOpenssl(['ts', '-reply', '-in', join(dir, 'v1.tsr'), '-text']);
    assert.match(text, /Nonce: 0x/);
    const token = await readTimestampToken(der, signatureValue);
    assert.deepEqual(token.tsaCertificate, good.tsa.certDer);
  });

  it('fails over past a hung, failing, garbage-speaking, lying or unreachable TSA', async () => {
    const deadUrl = await closedPortUrl();
    const signatureValue = randomBytes(256);
    for (const mode of ['hang', 'http-500', 'garbage', 'wrong-nonce', 'wrong-imprint'] as const) {
      faulty.mode = mode;
      const token = await createTimestamper({ urls: [faulty.url, deadUrl, good.url], timeoutMs: 500 })?.timestamp(signatureValue);
      assert.equal(token?.url, good.url, mode);
    }

    const expected: ReadonlyArray<readonly [string, RegExp]> = [
      ['hang', /no reply within 500 ms/],
      ['http-500', /HTTP 500/],
      ['garbage', /not a DER TimeStampResp/],
      ['wrong-nonce', /NU3026/],
      ['wrong-imprint', /NU3019/],
    ];
    for (const [mode, reason] of expected) {
      faulty.mode = mode as TestTsa['mode'];
      const timestamper = createTimestamper({ urls: [faulty.url, deadUrl], timeoutMs: 500 });
      await assert.rejects(timestamper?.timestamp(signatureValue) ?? Promise.resolve(), (error: unknown) => {
        assert.ok(isReposignError(error, 'TIMESTAMP_FAILED'), mode);
        assert.ok(error.message.includes(`${faulty.url}: `) && error.message.includes(`${deadUrl}: `), error.message);
        assert.match(error.message, reason);
        assert.match(error.message, /ECONNREFUSED/);
        assert.ok(error.cause instanceof AggregateError && error.cause.errors.length === 2);
        return true;
      });
    }
  });
});
