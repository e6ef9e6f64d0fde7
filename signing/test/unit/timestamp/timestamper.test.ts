// SPDX-License-Identifier: MIT
// The RFC 3161 client against an in-process fake TSA that builds its replies with pkijs, so that every
// validation rule can be broken on purpose.

import assert from 'node:assert/strict';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { isReposignError } from '../../../src/errors.js';
import { createTimestamper, readTimestampToken, type TimestampToken } from '../../../src/timestamp/index.js';

const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha512: '2.16.840.1.101.3.4.2.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  data: '1.2.840.113549.1.7.1',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  codeSigning: '1.3.6.1.5.5.7.3.3',
};
const DAY = 86_400_000;

interface Tsa {
  readonly keys: webcrypto.CryptoKeyPair;
  readonly certificate: pkijs.Certificate;
  readonly der: Uint8Array;
}

interface CertificateOptions {
  readonly bits?: number;
  readonly certificateHash?: string;
  readonly eku?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

async function makeTsa(options: CertificateOptions = {}): Promise<Tsa> {
  const keys = await webcrypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: options.bits ?? 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: options.certificateHash ?? 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  );
  const name = new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: 'fake TSA' }) })],
  });
  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ value: 4242 }),
    issuer: name,
    subject: name,
    notBefore: new pkijs.Time({ type: 1, value: options.notBefore ?? new Date(Date.now() - DAY) }),
    notAfter: new pkijs.Time({ type: 1, value: options.notAfter ?? new Date(Date.now() + 30 * DAY) }),
    extensions: [
      new pkijs.Extension({
        extnID: '2.5.29.37',
        critical: true,
        extnValue: new pkijs.ExtKeyUsage({ keyPurposes: [options.eku ?? OID.timeStamping] }).toSchema().toBER(),
      }),
    ],
  });
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey);
  await certificate.sign(keys.privateKey, options.certificateHash ?? 'SHA-256');
  const der = new Uint8Array(certificate.toSchema().toBER());
  return { keys, certificate: pkijs.Certificate.fromBER(der), der };
}

/** Everything a test can get wrong in a reply. */
interface Faults {
  status?: number;
  nonce?: bigint;
  imprintAlgorithm?: string;
  imprintData?: Uint8Array;
  genTime?: Date;
  omitCertificate?: boolean;
  signers?: number;
  digest?: string;
  essAttribute?: 'v1' | 'none' | 'wrong-hash';
  eContentType?: string;
  corruptSignature?: boolean;
}

interface Request {
  readonly nonce: bigint | undefined;
  readonly imprintAlgorithm: string;
  readonly imprint: Uint8Array;
}

/** The URL a fetch call was given, whatever form it took. */
function urlOf(input: string | URL | globalThis.Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

function essAttribute(kind: Faults['essAttribute'], tsa: Tsa): pkijs.Attribute[] {
  if (kind === 'none') return [];
  if (kind === 'v1') {
    const hash = createHash('sha1').update(tsa.der).digest();
    const id = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: hash })] });
    return [attribute(OID.signingCertificate, new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [id] })] }))];
  }
  const hash = createHash('sha256').update(kind === 'wrong-hash' ? Buffer.from('another certificate') : tsa.der).digest();
  const id = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: hash })] });
  return [attribute(OID.signingCertificateV2, new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [id] })] }))];
}

/** Builds a TimeStampResp the way a TSA would, with the requested faults. */
async function buildReply(tsa: Tsa, request: Request, faults: Faults = {}): Promise<Uint8Array> {
  const status = faults.status ?? 0;
  if (status > 1) {
    return new Uint8Array(
      new pkijs.TimeStampResp({
        status: new pkijs.PKIStatusInfo({
          status,
          statusStrings: [new asn1js.Utf8String({ value: 'unsupported algorithm' })],
          failInfo: new asn1js.BitString({ valueHex: new Uint8Array([0x80]), unusedBits: 7 }),
        }),
      })
        .toSchema()
        .toBER(),
    );
  }
  const imprintAlgorithm = faults.imprintAlgorithm ?? request.imprintAlgorithm;
  const imprint =
    faults.imprintData === undefined
      ? request.imprint
      : createHash(imprintAlgorithm === OID.sha512 ? 'sha512' : 'sha256').update(faults.imprintData).digest();
  const nonce = faults.nonce ?? request.nonce;
  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: '1.2.3.4.1',
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: imprintAlgorithm }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    serialNumber: new asn1js.Integer({ value: 7 }),
    genTime: faults.genTime ?? new Date(),
    accuracy: new pkijs.Accuracy({ seconds: 1, millis: 500 }),
    ...(nonce === undefined ? {} : { nonce: asn1js.Integer.fromBigInt(nonce) }),
  });
  const eContent = new Uint8Array(tstInfo.toSchema().toBER());
  const digestName = faults.digest ?? 'SHA-256';
  const eContentDigest = await webcrypto.subtle.digest(digestName, eContent);
  const eContentType = faults.eContentType ?? OID.tstInfo;
  const signerInfo = () =>
    new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: tsa.certificate.issuer, serialNumber: tsa.certificate.serialNumber }),
      signedAttrs: new pkijs.SignedAndUnsignedAttributes({
        type: 0,
        attributes: [
          attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: eContentType })),
          attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: eContentDigest })),
          ...essAttribute(faults.essAttribute, tsa),
        ],
      }),
    });
  const signedData = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType, eContent: new asn1js.OctetString({ valueHex: eContent }) }),
    signerInfos: Array.from({ length: faults.signers ?? 1 }, signerInfo),
    certificates: faults.omitCertificate === true ? [] : [tsa.certificate],
  });
  for (let index = 0; index < signedData.signerInfos.length; index++) {
    await signedData.sign(tsa.keys.privateKey, index, digestName);
  }
  if (faults.corruptSignature === true) {
    const signature = new Uint8Array(signedData.signerInfos[0]?.signature.valueBlock.valueHexView ?? []);
    signature[10] = (signature[10] ?? 0) ^ 0xff;
    (signedData.signerInfos[0]).signature = new asn1js.OctetString({ valueHex: signature });
  }
  const token = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signedData.toSchema(true) });
  return new Uint8Array(
    new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status }), timeStampToken: token }).toSchema().toBER(),
  );
}

function parseRequest(body: Uint8Array): Request & { readonly timeStampReq: pkijs.TimeStampReq } {
  const timeStampReq = pkijs.TimeStampReq.fromBER(body);
  return {
    timeStampReq,
    nonce: timeStampReq.nonce?.toBigInt(),
    imprintAlgorithm: timeStampReq.messageImprint.hashAlgorithm.algorithmId,
    imprint: timeStampReq.messageImprint.hashedMessage.valueBlock.valueHexView,
  };
}

/** A fetch that answers every request from `tsa` with the given faults, and records what it got. */
function fakeFetch(tsa: Tsa, faults: Faults = {}, seen: Array<{ url: string; init: RequestInit | undefined }> = []): typeof fetch {
  return async (input, init) => {
    seen.push({ url: urlOf(input), init });
    const body = init?.body;
    assert.ok(body instanceof Uint8Array);
    const reply = await buildReply(tsa, parseRequest(body), faults);
    return new Response(reply, { status: 200, headers: { 'Content-Type': 'application/timestamp-reply' } });
  };
}

async function timestampWith(tsa: Tsa, faults: Faults, signatureValue = randomBytes(256)): Promise<TimestampToken> {
  const timestamper = createTimestamper({ urls: ['http://127.0.0.1:9/tsa'], fetch: fakeFetch(tsa, faults) });
  assert.ok(timestamper);
  return timestamper.timestamp(signatureValue);
}

/** Asserts the single-URL attempt failed because the token was invalid with `nugetCode`. */
async function assertInvalid(promise: Promise<unknown>, nugetCode: string | undefined, pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isReposignError(error, 'TIMESTAMP_FAILED'), String(error));
    assert.ok(isReposignError(error.cause, 'TIMESTAMP_INVALID'), String(error.cause));
    assert.equal(error.cause.nugetCode, nugetCode);
    assert.equal(error.nugetCode, nugetCode);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return true;
  });
}

describe('createTimestamper', () => {
  it('is disabled without a URL and rejects URLs that are not http(s)', () => {
    assert.equal(createTimestamper({ urls: [] }), undefined);
    assert.equal(createTimestamper({ urls: ['', '  '] }), undefined);
    for (const urls of [['ftp://tsa.example/'], ['not a url']]) {
      assert.throws(() => createTimestamper({ urls }), (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'));
    }
    assert.throws(
      () => createTimestamper({ urls: ['http://127.0.0.1/'], timeoutMs: 0 }),
      (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'),
    );
  });
});

describe('timestamp requests and replies', () => {
  let tsa: Tsa;
  before(async () => {
    tsa = await makeTsa();
  });

  it('sends a NuGet-shaped request and returns the validated token', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const signatureValue = randomBytes(256);
    const timestamper = createTimestamper({ urls: ['', 'http://127.0.0.1:9/tsa'], fetch: fakeFetch(tsa, {}, seen) });
    assert.ok(timestamper);
    const token = await timestamper.timestamp(signatureValue);

    assert.equal(seen.length, 1);
    const init = seen[0]?.init;
    assert.equal(init?.method, 'POST');
    assert.ok(init?.signal instanceof AbortSignal);
    const headers = new Headers(init?.headers);
    assert.equal(headers.get('content-type'), 'application/timestamp-query');
    assert.equal(headers.get('accept'), 'application/timestamp-reply');
    assert.ok(init?.body instanceof Uint8Array);
    const request = parseRequest(init.body);
    assert.equal(request.timeStampReq.version, 1);
    assert.equal(request.timeStampReq.certReq, true);
    assert.equal(request.timeStampReq.reqPolicy, undefined);
    assert.equal(request.timeStampReq.extensions, undefined);
    assert.equal(request.imprintAlgorithm, OID.sha256);
    assert.ok(request.timeStampReq.messageImprint.hashAlgorithm.algorithmParams instanceof asn1js.Null);
    assert.deepEqual(Buffer.from(request.imprint), createHash('sha256').update(signatureValue).digest());
    const nonceBytes = request.timeStampReq.nonce?.valueBlock.valueHexView;
    assert.equal(nonceBytes?.byteLength, 32);
    assert.ok(request.nonce !== undefined && request.nonce > 0n);

    assert.equal(token.url, 'http://127.0.0.1:9/tsa');
    assert.equal(token.policy, '1.2.3.4.1');
    assert.equal(token.accuracyMs, 1500);
    assert.deepEqual(token.tsaCertificate, tsa.der);
    assert.ok(Math.abs(token.genTime.getTime() - Date.now()) < 60_000);
    const reread = await readTimestampToken(token.der, signatureValue);
    assert.equal(reread.genTime.getTime(), token.genTime.getTime());
  });

  it('uses a fresh nonce for every request', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const timestamper = createTimestamper({ urls: ['http://127.0.0.1:9/tsa'], fetch: fakeFetch(tsa, {}, seen) });
    await timestamper?.timestamp(randomBytes(16));
    await timestamper?.timestamp(randomBytes(16));
    const nonces = seen.map(({ init }) => (init?.body instanceof Uint8Array ? parseRequest(init.body).nonce : undefined));
    assert.equal(nonces.length, 2);
    assert.notEqual(nonces[0], nonces[1]);
  });

  it('imprints with the configured hash algorithm', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const timestamper = createTimestamper({ urls: ['http://127.0.0.1:9/tsa'], hashAlgorithm: 'SHA512', fetch: fakeFetch(tsa, {}, seen) });
    const signatureValue = randomBytes(64);
    await timestamper?.timestamp(signatureValue);
    const body = seen[0]?.init?.body;
    assert.ok(body instanceof Uint8Array);
    assert.equal(parseRequest(body).imprintAlgorithm, OID.sha512);
  });

  it('accepts a signing-certificate (v1) attribute instead of v2', async () => {
    const token = await timestampWith(tsa, { essAttribute: 'v1' });
    assert.deepEqual(token.tsaCertificate, tsa.der);
  });

  it('rejects a reply that does not echo the nonce (NU3026)', async () => {
    await assertInvalid(timestampWith(tsa, { nonce: 12345n }), 'NU3026');
  });

  it('rejects a reply without a nonce (NU3026)', async () => {
    // A nonce the fake cannot echo: undefined means "copy the request's", so strip it after the fact.
    const timestamper = createTimestamper({
      urls: ['http://127.0.0.1:9/tsa'],
      fetch: async (_input, init) => {
        assert.ok(init?.body instanceof Uint8Array);
        const request = { ...parseRequest(init.body), nonce: undefined };
        return new Response(await buildReply(tsa, request), { status: 200 });
      },
    });
    await assertInvalid(timestamper?.timestamp(randomBytes(32)) ?? Promise.resolve(), 'NU3026');
  });

  it('rejects an imprint over other data, or with another algorithm (NU3019)', async () => {
    await assertInvalid(timestampWith(tsa, { imprintData: randomBytes(256) }), 'NU3019');
    const signatureValue = randomBytes(256);
    await assertInvalid(timestampWith(tsa, { imprintAlgorithm: OID.sha512, imprintData: signatureValue }, signatureValue), 'NU3019', /SHA512/);
  });

  it('reports a refused request with its status, failure info and text', async () => {
    await assertInvalid(timestampWith(tsa, { status: 2 }), undefined, /rejection.*badAlg.*unsupported algorithm/);
  });

  it('rejects a token without the TSA certificate (NU3020)', async () => {
    await assertInvalid(timestampWith(tsa, { omitCertificate: true }), 'NU3020');
  });

  it('rejects a token with two signers (NU3021)', async () => {
    await assertInvalid(timestampWith(tsa, { signers: 2 }), 'NU3021', /2 signers/);
  });

  it('rejects a token whose content is not a TSTInfo (NU3021)', async () => {
    await assertInvalid(timestampWith(tsa, { eContentType: OID.data }), 'NU3021');
  });

  it('rejects a token whose signature does not verify (NU3021)', async () => {
    await assertInvalid(timestampWith(tsa, { corruptSignature: true }), 'NU3021', /does not verify/);
  });

  it('rejects a missing or mismatched signing-certificate attribute (NU3021)', async () => {
    await assertInvalid(timestampWith(tsa, { essAttribute: 'none' }), 'NU3021', /neither/);
    await assertInvalid(timestampWith(tsa, { essAttribute: 'wrong-hash' }), 'NU3021', /does not name/);
  });

  it('rejects a token signed with a SHA-1 digest (NU3024)', async () => {
    await assertInvalid(timestampWith(tsa, { digest: 'SHA-1' }), 'NU3024');
  });

  it('rejects a genTime outside the TSA certificate validity (NU3036)', async () => {
    await assertInvalid(timestampWith(tsa, { genTime: new Date(Date.now() + 60 * DAY) }), 'NU3036');
  });
});

describe('TSA certificate rules', () => {
  it('rejects a TSA certificate without the timeStamping EKU (NU3028)', async () => {
    await assertInvalid(timestampWith(await makeTsa({ eku: OID.codeSigning }), {}), 'NU3028');
  });

  it('rejects a TSA key under 2048 bits (NU3023)', async () => {
    await assertInvalid(timestampWith(await makeTsa({ bits: 1024 }), {}), 'NU3023', /1024 bits/);
  });

  it('rejects a TSA certificate signed with SHA-1 (NU3022)', async () => {
    await assertInvalid(timestampWith(await makeTsa({ certificateHash: 'SHA-1' }), {}), 'NU3022');
  });

  it('rejects a TSA certificate that is not yet valid (NU3025)', async () => {
    const tsa = await makeTsa({ notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 2 * DAY) });
    await assertInvalid(timestampWith(tsa, { genTime: new Date(Date.now() + 1.5 * DAY) }), 'NU3025');
  });
});

describe('failover', () => {
  let tsa: Tsa;
  before(async () => {
    tsa = await makeTsa();
  });

  it('moves past network errors, HTTP errors, garbage and invalid tokens to the next URL', async () => {
    const good = fakeFetch(tsa);
    const wrongNonce = fakeFetch(tsa, { nonce: 1n });
    const calls: string[] = [];
    const timestamper = createTimestamper({
      urls: ['http://a.test/', 'http://b.test/', 'http://c.test/', 'http://d.test/', 'http://e.test/'],
      fetch: async (input, init) => {
        const url = urlOf(input);
        calls.push(url);
        if (url === 'http://a.test/') throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
        if (url === 'http://b.test/') return new Response('busy', { status: 503, statusText: 'Service Unavailable' });
        if (url === 'http://c.test/') return new Response('<html/>', { status: 200, headers: { 'Content-Type': 'text/html' } });
        if (url === 'http://d.test/') return wrongNonce(input, init);
        return good(input, init);
      },
    });
    const token = await timestamper?.timestamp(randomBytes(256));
    assert.equal(token?.url, 'http://e.test/');
    assert.deepEqual(calls, ['http://a.test/', 'http://b.test/', 'http://c.test/', 'http://d.test/', 'http://e.test/']);
  });

  it('lists every URL and its reason when all fail', async () => {
    const timestamper = createTimestamper({
      urls: ['http://a.test/', 'http://b.test/'],
      fetch: async (input) => {
        if (urlOf(input) === 'http://a.test/') throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND a.test') });
        return new Response('', { status: 500, statusText: 'Internal Server Error' });
      },
    });
    await assert.rejects(timestamper?.timestamp(randomBytes(256)) ?? Promise.resolve(), (error: unknown) => {
      assert.ok(isReposignError(error, 'TIMESTAMP_FAILED'));
      assert.match(error.message, /http:\/\/a\.test\/: fetch failed: getaddrinfo ENOTFOUND a\.test/);
      assert.match(error.message, /http:\/\/b\.test\/: HTTP 500 Internal Server Error/);
      assert.ok(error.cause instanceof AggregateError);
      assert.equal(error.cause.errors.length, 2);
      return true;
    });
  });

  it('abandons a TSA that does not answer within the timeout', async () => {
    const timestamper = createTimestamper({
      urls: ['http://hung.test/'],
      timeoutMs: 50,
      // AbortSignal.timeout does not keep the event loop alive; a real socket would, so this timer does.
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          const socket = setTimeout(() => reject(new Error('the client never gave up')), 10_000);
          init?.signal?.addEventListener('abort', () => {
            clearTimeout(socket);
            reject(init.signal?.reason as Error);
          });
        }),
    });
    const started = Date.now();
    await assert.rejects(timestamper?.timestamp(randomBytes(256)) ?? Promise.resolve(), (error: unknown) => {
      assert.ok(isReposignError(error, 'TIMESTAMP_FAILED'));
      assert.match(error.message, /no reply within 50 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 2_000);
  });
});

describe('readTimestampToken', () => {
  it('validates a token without knowing the request nonce and rejects one for another signature', async () => {
    const tsa = await makeTsa();
    const signatureValue = randomBytes(256);
    const imprint = createHash('sha256').update(signatureValue).digest();
    const reply = await buildReply(tsa, { nonce: undefined, imprintAlgorithm: OID.sha256, imprint });
    const response = pkijs.TimeStampResp.fromBER(reply);
    const der = new Uint8Array(response.timeStampToken?.toSchema().toBER() ?? new ArrayBuffer(0));
    const token = await readTimestampToken(der, signatureValue);
    assert.deepEqual(token.der, der);
    assert.equal(token.url, '');
    await assert.rejects(readTimestampToken(der, randomBytes(256)), (error: unknown) =>
      isReposignError(error, 'TIMESTAMP_INVALID') && error.nugetCode === 'NU3019',
    );
    await assert.rejects(readTimestampToken(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), signatureValue), (error: unknown) =>
      isReposignError(error, 'TIMESTAMP_INVALID') && error.nugetCode === 'NU3021',
    );
  });
});
