// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { parseCertificate } from '../../../src/certificates/certificate.js';
import { attribute } from '../../../src/cms/attributes.js';
import { addRepositoryCountersignature, removeRepositoryCountersignatures } from '../../../src/cms/countersignature.js';
import { children, tlvBytes, tlvContent } from '../../../src/cms/der.js';
import { OID } from '../../../src/cms/oids.js';
import { findAttribute, parseSignature, type ParsedSignature } from '../../../src/cms/signature-reader.js';
import { readServiceIndexUrl, verifySignerInfo } from '../../../src/cms/signer-verification.js';
import type { SigningKey } from '../../../src/signing-key.js';
import { createRootCa, createSelfSigned, issueCertificate, runOpenssl, type TestCa, type TestCertificate } from '../../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import {
  createAuthorSignature,
  createUnknownCountersigner,
  FAKE_TIMESTAMP_ATTRIBUTE,
  openTestKey,
  repositoryRequest,
} from './test-signatures.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const PACKAGE_HASH = createHash('sha256').update('author package').digest();

let dir: string;
let author: TestCertificate;
let repoCa: TestCa;
let repo: TestCertificate;
let authorKey: SigningKey;
let repoKey: SigningKey;
let authorSignature: ParsedSignature;

before(async () => {
  dir = await makeTempDir('countersignature');
  author = await createSelfSigned(dir, { subject: 'Author' });
  repoCa = await createRootCa(dir, { name: 'Repository Root' });
  repo = await issueCertificate(repoCa, { subject: 'Repository Leaf', ski: false });
  authorKey = await openTestKey(author);
  repoKey = await openTestKey(repo, [repoCa]);
  authorSignature = parseSignature(await createAuthorSignature(PACKAGE_HASH, authorKey, { unsignedAttributes: [FAKE_TIMESTAMP_ATTRIBUTE] }));
});
after(() => removeTempDir(dir));

/** The author SignerInfo from its first byte of content up to the end of its signature OCTET STRING. */
function signedPart(signature: ParsedSignature): string {
  const primary = signature.primary;
  return hex(primary.tlv.source.subarray(primary.tlv.contentStart, primary.signatureTlv.end));
}

describe('addRepositoryCountersignature', () => {
  let countersigned: ParsedSignature;
  before(async () => {
    assert.equal(authorSignature.primary.type, 'author');
    countersigned = parseSignature(await addRepositoryCountersignature(authorSignature, repositoryRequest(repoKey, { packageOwners: ['alice'] })));
  });

  test('keeps the author bytes: head, content, the SignerInfo up to its signature, and its timestamp attribute', () => {
    assert.deepEqual(countersigned.head.map((part) => hex(tlvBytes(part))), authorSignature.head.map((part) => hex(tlvBytes(part))));
    assert.equal(hex(countersigned.content), hex(authorSignature.content));
    assert.equal(signedPart(countersigned), signedPart(authorSignature));
    assert.equal(countersigned.primary.type, 'author');
    assert.deepEqual(verifySignerInfo(countersigned.primary, parseCertificate(author.certDer), countersigned.content, 'NU3011'), []);
    const timestamp = countersigned.primary.unsignedAttributes.find((attr) => attr.oid === OID.signatureTimeStampToken);
    assert.equal(hex(tlvBytes(timestamp!.tlv)), hex(FAKE_TIMESTAMP_ATTRIBUTE));
  });

  test('adds exactly one repository countersigner without content-type whose digest is H(author signature value)', () => {
    assert.equal(countersigned.countersignatures.length, 1);
    const counter = countersigned.countersignatures[0];
    assert.equal(counter.type, 'repository');
    assert.equal(findAttribute(counter.signedAttributes, OID.contentType), undefined);
    const digest = findAttribute(counter.signedAttributes, OID.messageDigest)!;
    assert.equal(hex(tlvContent(digest.values[0])), createHash('sha256').update(authorSignature.primary.signatureValue).digest('hex'));
    assert.equal(counter.version, 1, 'the repository certificate has no SKI');
    assert.equal(readServiceIndexUrl(counter).url, 'https://example.com/v3/index.json');
    assert.deepEqual(verifySignerInfo(counter, parseCertificate(repo.certDer), countersigned.primary.signatureValue, 'NU3031'), []);
  });

  test('adds the repository chain, root included, to the outer certificates once', () => {
    assert.deepEqual([...countersigned.certificates.map(hex)].sort(), [author.certDer, repo.certDer, repoCa.certDer].map(hex).sort());
    assert.equal(hex(countersigned.certificates[0]), hex(author.certDer), 'existing certificates stay first and untouched');
  });

  test('openssl still verifies the author signature', async () => {
    const path = join(dir, 'countersigned.p7s');
    await writeFile(path, countersigned.bytes);
    await runOpenssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', path, '-noverify', '-out', `${path}.out`]);
    const printed = await runOpenssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', path]);
    assert.match(printed, /pkcs9_countersignature|countersignature/i);
  });

  test('a second add replaces ours: still one repository countersignature and no duplicate certificates', async () => {
    const twice = parseSignature(
      await addRepositoryCountersignature(countersigned, repositoryRequest(repoKey, { signingTime: new Date('2025-01-01T00:00:00Z') })),
    );
    assert.equal(twice.countersignatures.filter((counter) => counter.type === 'repository').length, 1);
    assert.equal(twice.countersignatures.length, 1);
    assert.equal(twice.certificates.length, 3);
    assert.equal(signedPart(twice), signedPart(authorSignature));
    const signingTime = findAttribute(twice.countersignatures[0].signedAttributes, OID.signingTime)!;
    assert.equal(Buffer.from(tlvContent(signingTime.values[0])).toString('ascii'), '250101000000Z');
  });

  test('goes before other countersignatures, which are kept', async () => {
    const unknown = await createUnknownCountersigner(authorSignature.primary.signatureValue, authorKey);
    const withUnknown = parseSignature(
      await createAuthorSignature(PACKAGE_HASH, authorKey, {
        unsignedAttributes: [FAKE_TIMESTAMP_ATTRIBUTE, attribute(OID.countersignature, unknown)],
      }),
    );
    assert.deepEqual(withUnknown.countersignatures.map((counter) => counter.type), ['unknown']);
    const result = parseSignature(await addRepositoryCountersignature(withUnknown, repositoryRequest(repoKey)));
    assert.deepEqual(result.countersignatures.map((counter) => counter.type), ['repository', 'unknown']);
    assert.deepEqual(result.primary.unsignedAttributes.map((attr) => attr.oid), [
      OID.signatureTimeStampToken,
      OID.countersignature,
      OID.countersignature,
    ]);
    const stripped = parseSignature(removeRepositoryCountersignatures(result));
    assert.deepEqual(stripped.countersignatures.map((counter) => counter.type), ['unknown']);
    assert.equal(hex(tlvBytes(stripped.countersignatures[0].tlv)), hex(unknown));
  });
});

describe('removeRepositoryCountersignatures', () => {
  test('drops ours, keeps the timestamp attribute and the repository certificates', async () => {
    const countersigned = parseSignature(await addRepositoryCountersignature(authorSignature, repositoryRequest(repoKey)));
    const stripped = parseSignature(removeRepositoryCountersignatures(countersigned));
    assert.equal(stripped.countersignatures.length, 0);
    assert.deepEqual(stripped.primary.unsignedAttributes.map((attr) => hex(tlvBytes(attr.tlv))), [hex(FAKE_TIMESTAMP_ATTRIBUTE)]);
    assert.equal(signedPart(stripped), signedPart(authorSignature));
    assert.equal(stripped.certificates.length, 3);
    assert.equal(hex(stripped.bytes), hex(removeRepositoryCountersignatures(stripped)), 'idempotent');
  });

  test('omits [1] when no unsigned attribute remains', async () => {
    const bare = parseSignature(await createAuthorSignature(PACKAGE_HASH, authorKey));
    assert.equal(children(bare.primary.tlv).at(-1)!.tag, 0x04);
    const countersigned = parseSignature(await addRepositoryCountersignature(bare, repositoryRequest(repoKey)));
    assert.equal(children(countersigned.primary.tlv).at(-1)!.tag, 0xa1);
    const stripped = parseSignature(removeRepositoryCountersignatures(countersigned));
    assert.equal(children(stripped.primary.tlv).at(-1)!.tag, 0x04, 'the SignerInfo ends with its signature');
    assert.equal(stripped.primary.unsignedAttributes.length, 0);
    assert.equal(signedPart(stripped), signedPart(bare));
  });
});
