// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runOpenssl } from '../../helpers/pki.js';
import { tempDirFor } from '../../helpers/temp-dir.js';
import { startTsa, type TestTsa } from '../../helpers/tsa-server.js';

interface Query {
  readonly dataPath: string;
  readonly queryPath: string;
  readonly body: Buffer;
}

async function makeQuery(dir: string): Promise<Query> {
  const dataPath = join(dir, 'data.bin');
  const queryPath = join(dir, 'request.tsq');
  await writeFile(dataPath, 'bytes to timestamp');
  await runOpenssl(['ts', '-query', '-data', dataPath, '-sha256', '-cert', '-out', queryPath]);
  return { dataPath, queryPath, body: await readFile(queryPath) };
}

function post(tsa: TestTsa, body: Buffer, signal?: AbortSignal): Promise<Response> {
  return fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body, signal });
}

async function startFor(t: TestContext, dir: string): Promise<TestTsa> {
  const tsa = await startTsa({ dir });
  t.after(() => tsa.close());
  return tsa;
}

async function verifyReply(tsa: TestTsa, dir: string, query: Query, reply: Response): Promise<string> {
  const replyPath = join(dir, 'reply.tsr');
  await writeFile(replyPath, Buffer.from(await reply.arrayBuffer()));
  return runOpenssl(['ts', '-verify', '-queryfile', query.queryPath, '-in', replyPath, '-CAfile', tsa.rootCertPath]);
}

test('the TSA answers a real RFC 3161 query that openssl ts -verify accepts', async (t) => {
  const dir = await tempDirFor(t, 'tsa-test');
  const tsa = await startFor(t, dir);
  const query = await makeQuery(dir);

  const reply = await post(tsa, query.body);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.get('content-type'), 'application/timestamp-reply');
  assert.match(await verifyReply(tsa, dir, query, reply), /Verification: OK/);
  assert.equal(tsa.requests, 1);

  const text = await runOpenssl(['ts', '-reply', '-in', join(dir, 'reply.tsr'), '-text']);
  assert.match(text, /Status: Granted/);
  assert.match(text, /Hash Algorithm: sha256/);
  assert.match(text, /Accuracy: 0x01 seconds/);
  const tsaText = await runOpenssl(['x509', '-in', tsa.tsaCertPath, '-noout', '-text']);
  assert.match(tsaText, /Extended Key Usage: critical\s+Time Stamping/);
  assert.match(tsaText, /Public-Key: \(2048 bit\)/);
});

test('misbehaving modes: http-500, garbage, wrong nonce and wrong imprint', async (t) => {
  const dir = await tempDirFor(t, 'tsa-test');
  const tsa = await startFor(t, dir);
  const query = await makeQuery(dir);

  tsa.mode = 'http-500';
  assert.equal((await post(tsa, query.body)).status, 500);

  tsa.mode = 'garbage';
  const garbage = await post(tsa, query.body);
  assert.equal(garbage.status, 200);
  await assert.rejects(verifyReply(tsa, dir, query, garbage));

  tsa.mode = 'wrong-nonce';
  await assert.rejects(verifyReply(tsa, dir, query, await post(tsa, query.body)), /nonce mismatch/);

  tsa.mode = 'wrong-imprint';
  await assert.rejects(verifyReply(tsa, dir, query, await post(tsa, query.body)), /message imprint mismatch/);

  tsa.mode = 'ok';
  assert.match(await verifyReply(tsa, dir, query, await post(tsa, query.body)), /Verification: OK/);
  assert.equal(tsa.requests, 5);
});

test('hang mode never answers, so a client with an AbortSignal times out', async (t) => {
  const dir = await tempDirFor(t, 'tsa-test');
  const tsa = await startFor(t, dir);
  tsa.mode = 'hang';
  const query = await makeQuery(dir);
  const started = Date.now();
  await assert.rejects(post(tsa, query.body, AbortSignal.timeout(300)), { name: 'TimeoutError' });
  assert.ok(Date.now() - started >= 290);
  assert.equal(tsa.requests, 1);
});
