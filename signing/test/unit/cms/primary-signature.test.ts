// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { isReposignError } from '../../../src/errors.js';
import { parseCertificate } from '../../../src/certificates/certificate.js';
import { children, readOid, readTlv, tlvBytes, tlvContent } from '../../../src/cms/der.js';
import { OID } from '../../../src/cms/oids.js';
import { createRepositoryPrimarySignature } from '../../../src/cms/primary-signature.js';
import { decodeSignatureContent } from '../../../src/cms/signature-content.js';
import { findAttribute, findSignerCertificate, parseSignature } from '../../../src/cms/signature-reader.js';
import {
  readPackageOwners,
  readServiceIndexUrl,
  readSigningTime,
  timestampTokens,
  verifySignerInfo,
} from '../../../src/cms/signer-verification.js';
import type { SigningKey } from '../../../src/signing-key.js';
import { createRootCa, createSelfSigned, issueCertificate, runOpenssl, type TestCa, type TestCertificate } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { openTestKey, repositoryRequest } from './test-signatures.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const PACKAGE_HASH = createHash('sha256').update('package').digest();
const PACKAGE_HASH_512 = createHash('sha512').update('package').digest();

let dir: string;
let ca: TestCa;
let issued: TestCertificate;
let noSki: TestCertificate;
let other: TestCertificate;
let issuedKey: SigningKey;
let noSkiKey: SigningKey;

before(async () => {
  dir = await makeTempDir('primary');
  ca = await createRootCa(dir, { name: 'Primary Root' });
  issued = await issueCertificate(ca, { subject: 'Primary Leaf' });
  noSki = await createSelfSigned(dir, { subject: 'Primary No SKI', ski: false });
  other = await createSelfSigned(dir, { subject: 'Other Key' });
  issuedKey = await openTestKey(issued, [ca]);
  noSkiKey = await openTestKey(noSki);
});
after(() => removeTempDir(dir));

async function opensslVerify(signature: Uint8Array, extra: readonly string[]): Promise<Buffer> {
  const sigPath = join(dir, `sig-${Math.random().toString(16).slice(2)}.p7s`);
  const outPath = `${sigPath}.content`;
  await writeFile(sigPath, signature);
  await runOpenssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-out', outPath, ...extra]);
  return readFile(outPath);
}

describe('repository primary signature from a CA-issued certificate (SKI)', () => {
  let bytes: Uint8Array;
  before(async () => {
    bytes = await createRepositoryPrimarySignature(PACKAGE_HASH, repositoryRequest(issuedKey, { packageOwners: ['alice', 'bob'] }));
  });

  test('is ContentInfo(signedData) with version 3, SHA-256 digestAlgorithms and attached id-data content', () => {
    const parsed = parseSignature(bytes);
    const [version, digestAlgorithms, encap] = parsed.head;
    assert.equal(hex(tlvBytes(version)), '020103');
    assert.equal(hex(tlvBytes(digestAlgorithms)), '310d300b0609608648016503040201');
    assert.equal(readOid(children(encap)[0]), OID.data);
    const content = decodeSignatureContent(parsed.content);
    assert.equal(content.hashAlgorithm.name, 'SHA256');
    assert.equal(hex(content.packageHash), hex(PACKAGE_HASH));
    assert.equal(parsed.crlsTlv, undefined);
  });

  test('certificates are the leaf and the root (a DER SET OF, so in encoding order)', () => {
    const parsed = parseSignature(bytes);
    assert.deepEqual(parsed.certificates.map(hex), [hex(issued.certDer), hex(ca.certDer)].sort());
    const encodings = parsed.certificates.map((der) => Buffer.from(der));
    assert.deepEqual(encodings, [...encodings].sort((a, b) => Buffer.compare(a, b)));
  });

  test('SignerInfo: version 3, sid [0] = SKI, sha256, rsaEncryption with NULL, signer found', () => {
    const { primary, certificates } = parseSignature(bytes);
    const leaf = parseCertificate(issued.certDer);
    assert.equal(primary.version, 3);
    assert.equal(primary.sid.tag, 0x80);
    assert.equal(hex(tlvContent(primary.sid)), hex(leaf.subjectKeyIdentifier!));
    assert.equal(primary.digestAlgorithmOid, '2.16.840.1.101.3.4.2.1');
    assert.equal(primary.signatureAlgorithmOid, OID.rsaEncryption);
    const algorithm = children(children(primary.tlv)[4]);
    assert.equal(hex(tlvBytes(algorithm[1])), '0500');
    assert.equal(primary.type, 'repository');
    assert.equal(primary.unsignedAttributes.length, 0);
    assert.equal(children(primary.tlv).at(-1)!.tag, 0x04, 'no [1] without a timestamp');
    assert.equal(findSignerCertificate(primary, certificates)?.fingerprintSha256, leaf.fingerprintSha256);
  });

  test('carries every attribute exactly once, DER-sorted, with the expected values', () => {
    const { primary, content } = parseSignature(bytes);
    const oids = primary.signedAttributes.map((attribute) => attribute.oid).sort();
    assert.deepEqual(
      oids,
      [
        OID.contentType,
        OID.messageDigest,
        OID.signingTime,
        OID.commitmentTypeIndication,
        OID.signingCertificateV2,
        OID.nugetV3ServiceIndexUrl,
        OID.nugetPackageOwners,
      ].sort(),
    );
    const encodings = primary.signedAttributes.map((attribute) => Buffer.from(tlvBytes(attribute.tlv)));
    assert.deepEqual(encodings, [...encodings].sort((a, b) => Buffer.compare(a, b)), 'signed attributes are in DER SET OF order');
    assert.equal(findAttribute(primary.signedAttributes, OID.signingCertificate), undefined);
    const digest = findAttribute(primary.signedAttributes, OID.messageDigest)!;
    assert.equal(hex(tlvContent(digest.values[0])), createHash('sha256').update(content).digest('hex'));
    assert.equal(readSigningTime(primary)?.toISOString(), '2024-05-17T12:30:45.000Z');
    assert.deepEqual(readServiceIndexUrl(primary), { url: 'https://example.com/v3/index.json' });
    assert.deepEqual(readPackageOwners(primary), ['alice', 'bob']);
    assert.deepEqual(timestampTokens(primary), []);
  });

  test('verifySignerInfo finds no issue', () => {
    const { primary, content } = parseSignature(bytes);
    assert.deepEqual(verifySignerInfo(primary, parseCertificate(issued.certDer), content, 'NU3011'), []);
  });

  test('openssl cms -verify accepts it without chain checks and with the test root as trust anchor', async () => {
    const content = parseSignature(bytes).content;
    assert.equal(hex(await opensslVerify(bytes, ['-noverify'])), hex(content));
    assert.equal(hex(await opensslVerify(bytes, ['-CAfile', ca.certPath, '-purpose', 'any'])), hex(content));
  });

  test('a different key for the same certificate fails verification (NU3012), and a tampered content digest is caught', () => {
    const { primary, content } = parseSignature(bytes);
    const tampered = Buffer.from(content);
    tampered[tampered.length - 3] ^= 1;
    const issues = verifySignerInfo(primary, parseCertificate(issued.certDer), tampered, 'NU3011');
    assert.deepEqual(issues.map((issue) => issue.nugetCode), ['NU3012']);
    const wrongCertificate = verifySignerInfo(primary, parseCertificate(other.certDer), content, 'NU3011');
    assert.deepEqual(
      wrongCertificate.map((issue) => issue.nugetCode),
      ['NU3011', 'NU3012'],
      'signing-certificate-v2 names another certificate, and the signature value does not verify',
    );
  });
});

describe('repository primary signature from a certificate without SKI', () => {
  let bytes: Uint8Array;
  before(async () => {
    bytes = await createRepositoryPrimarySignature(PACKAGE_HASH_512, repositoryRequest(noSkiKey, { hash: 'SHA512', packageOwners: [] }));
  });

  test('uses issuerAndSerialNumber with version 1 in SignerInfo and SignedData', () => {
    const { primary, head, certificates } = parseSignature(bytes);
    const leaf = parseCertificate(noSki.certDer);
    assert.equal(leaf.subjectKeyIdentifier, undefined);
    assert.equal(hex(tlvBytes(head[0])), '020101');
    assert.equal(primary.version, 1);
    assert.equal(primary.sid.tag, 0x30);
    const [issuer, serial] = children(primary.sid);
    assert.equal(hex(tlvBytes(issuer)), hex(leaf.issuerNameDer));
    assert.equal(hex(tlvContent(serial)), hex(leaf.serialContent));
    assert.deepEqual(certificates.map(hex), [hex(noSki.certDer)], 'a self-signed certificate is the whole chain');
    assert.equal(findSignerCertificate(primary, certificates)?.fingerprintSha256, leaf.fingerprintSha256);
  });

  test('SHA-512 throughout, no owners attribute, no issues, and openssl verifies it', async () => {
    const parsed = parseSignature(bytes);
    assert.equal(parsed.primary.digestAlgorithmOid, '2.16.840.1.101.3.4.2.3');
    assert.equal(decodeSignatureContent(parsed.content).hashAlgorithm.name, 'SHA512');
    assert.equal(findAttribute(parsed.primary.signedAttributes, OID.nugetPackageOwners), undefined);
    assert.equal(readPackageOwners(parsed.primary), undefined);
    assert.deepEqual(verifySignerInfo(parsed.primary, parseCertificate(noSki.certDer), parsed.content, 'NU3011'), []);
    assert.equal(hex(await opensslVerify(bytes, ['-CAfile', noSki.certPath, '-purpose', 'any'])), hex(parsed.content));
  });
});

describe('keys that do not match their certificate', () => {
  test('a key signing with another private key is CERTIFICATE_MISMATCH', async () => {
    const wrongPrivateKey = createPrivateKey(other.keyPem);
    const lying: SigningKey = {
      kind: 'test',
      certificateChain: () => [issued.certDer],
      sign: async (input, hash) => sign(hash.toLowerCase(), 'data' in input ? input.data : new Uint8Array(), wrongPrivateKey),
      close: async () => undefined,
    };
    await assert.rejects(createRepositoryPrimarySignature(PACKAGE_HASH, repositoryRequest(lying)), (error: unknown) =>
      isReposignError(error, 'CERTIFICATE_MISMATCH'),
    );
  });

  test('a key whose backend throws is SIGNING_FAILED with the cause kept', async () => {
    const cause = new Error('HSM offline');
    const failing: SigningKey = {
      kind: 'test',
      certificateChain: () => [issued.certDer],
      sign: async () => {
        throw cause;
      },
      close: async () => undefined,
    };
    await assert.rejects(createRepositoryPrimarySignature(PACKAGE_HASH, repositoryRequest(failing)), (error: unknown) => {
      assert.ok(isReposignError(error, 'SIGNING_FAILED'));
      assert.equal(error.cause, cause);
      return true;
    });
  });

  test('an http service index URL is refused before anything is signed', async () => {
    let signed = 0;
    const counting: SigningKey = { ...issuedKey, kind: 'test', certificateChain: () => issuedKey.certificateChain(), sign: async (input, hash, options) => {
      signed++;
      return issuedKey.sign(input, hash, options);
    }, close: async () => undefined };
    await assert.rejects(
      createRepositoryPrimarySignature(PACKAGE_HASH, repositoryRequest(counting, { serviceIndexUrl: 'http://example.com/index.json' })),
      (error: unknown) => isReposignError(error, 'INVALID_ARGUMENT'),
    );
    assert.equal(signed, 0);
  });
});

describe('parseSignature on broken input', () => {
  let good: Uint8Array;
  before(async () => {
    good = await createRepositoryPrimarySignature(PACKAGE_HASH, repositoryRequest(noSkiKey));
  });

  const code = (nugetCode: string) => (error: unknown) => isReposignError(error, 'SIGNATURE_MALFORMED') && error.nugetCode === nugetCode;

  test('trailing bytes, truncation and a non-SignedData content type are NU3003', () => {
    assert.throws(() => parseSignature(Buffer.concat([good, Buffer.of(0)])), code('NU3003'));
    assert.throws(() => parseSignature(good.subarray(0, good.length - 1)), code('NU3003'));
    const notSignedData = Buffer.from(good);
    notSignedData[readTlv(good).contentStart + 2 + 8] = 0x01; // 1.2.840.113549.1.7.2 -> ...1.7.1
    assert.throws(() => parseSignature(notSignedData), code('NU3003'));
    assert.throws(() => parseSignature(Buffer.from('not DER at all')), code('NU3003'));
  });

  test('two SignerInfos are NU3009', () => {
    const parsed = parseSignature(good);
    const signerInfos = children(parsed.signedData).at(-1)!;
    const signerInfo = tlvBytes(children(signerInfos)[0]);
    const twoSigners = Buffer.concat([Buffer.of(0x31, 0x82), Buffer.alloc(2), signerInfo, signerInfo]);
    twoSigners.writeUInt16BE(signerInfo.length * 2, 2);
    const before = good.subarray(parsed.signedData.contentStart, signerInfos.start);
    const signedData = Buffer.concat([Buffer.of(0x30, 0x83, 0, 0, 0), before, twoSigners]);
    signedData.writeUIntBE(before.length + twoSigners.length, 2, 3);
    const wrapper = Buffer.concat([Buffer.of(0xa0, 0x83, 0, 0, 0), signedData]);
    wrapper.writeUIntBE(signedData.length, 2, 3);
    const oidBytes = Buffer.from('06092a864886f70d010702', 'hex');
    const contentInfo = Buffer.concat([Buffer.of(0x30, 0x83, 0, 0, 0), oidBytes, wrapper]);
    contentInfo.writeUIntBE(oidBytes.length + wrapper.length, 2, 3);
    assert.throws(() => parseSignature(contentInfo), code('NU3009'));
  });
});
