// SPDX-License-Identifier: MIT
// SelfSigned mode: the PFX persisted with the configured password, reused while it fits, replaced
// when the configuration changes or the certificate nears expiry, and never replaced silently when
// the password no longer opens it.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SigningConfig } from '../../../src/config/config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded-database.js';
import { isReposignError } from '@reposign/signing';
import { isFeedError } from '../../../src/errors.js';
import { openSigningKey } from '../../../src/services/signing-key-source.js';
import { openPfxKey, type SelfSignedSettings } from '@reposign/signing';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function signingConfig(storage: string, env: Record<string, string>): SigningConfig {
  return loadConfig({
    argv: [],
    cwd: storage,
    env: { Storage__Path: storage, Signing__SelfSigned__KeySize: 'KeySize2048', Signing__CertificatePasswordSecret: 'Secrets:Pfx', Secrets__Pfx: 'secret-pw', ...env },
  }).config.signing;
}

test('the self-signed certificate: persisted encrypted, reused, regenerated on change and renewal', { timeout: 120_000 }, async (t) => {
  const storage = await tempDirFor(t, 'self-signed');
  const db = await openEmbeddedDatabase(undefined);
  t.after(() => db.close());
  const base = signingConfig(storage, { Signing__SelfSigned__Organization: 'Contoso', Signing__SelfSigned__Country: 'us', Signing__SelfSigned__ValidityInDays: '60' });
  assert.equal((base.settings as SelfSignedSettings).subjectName, 'CN=reposign repository signing (self-signed), O=Contoso, C=US');
  assert.equal((base.settings as SelfSignedSettings).certificatePath, join(storage, 'certs', 'repository-signing.pfx'));

  const first = await openSigningKey(base, db);
  assert.equal(first.generatedBecause, 'no certificate was persisted yet');
  assert.equal(first.certificate.subject, 'CN=reposign repository signing (self-signed), O=Contoso, C=US');
  assert.equal(first.certificate.keyBits, 2048);
  const pfx = await readFile((base.settings as SelfSignedSettings).certificatePath);
  await assert.rejects(openPfxKey({ pfx, password: 'wrong' }), (error: unknown) => isReposignError(error, 'KEY_BAD_PASSWORD'));
  assert.equal((await openPfxKey({ pfx, password: 'secret-pw' })).certificateChain().length, 1);

  const again = await openSigningKey(base, db);
  assert.equal(again.generatedBecause, undefined, 'reused while it matches and is valid');
  assert.equal(again.certificate.fingerprintSha256, first.certificate.fingerprintSha256);

  const renewed = await openSigningKey(base, db, new Date(Date.now() + 40 * DAY_MS));
  assert.match(renewed.generatedBecause ?? '', /within the renewal window of 30 days/);
  assert.notEqual(renewed.certificate.fingerprintSha256, first.certificate.fingerprintSha256);

  const changes: [Record<string, string>, RegExp][] = [
    [{ Signing__SelfSigned__SubjectName: 'CN=Other Feed' }, /the subject changed/],
    [{ Signing__SelfSigned__SubjectName: 'CN=Other Feed', Signing__SelfSigned__KeySize: '3072' }, /the key size changed to 3072/],
    [{ Signing__SelfSigned__SubjectName: 'CN=Other Feed', Signing__SelfSigned__KeySize: '3072', Signing__SelfSigned__HashAlgorithm: 'SHA384' }, /the hash algorithm changed to SHA384/],
    [{ Signing__SelfSigned__SubjectName: 'CN=Other Feed', Signing__SelfSigned__KeySize: '3072', Signing__SelfSigned__HashAlgorithm: 'SHA384', Signing__SelfSigned__ValidityInDays: '90' }, /the validity changed to 90 days/],
  ];
  for (const [env, reason] of changes) {
    const opened = await openSigningKey(signingConfig(storage, env), db);
    assert.match(opened.generatedBecause ?? '', reason);
  }

  await assert.rejects(openSigningKey(signingConfig(storage, { Secrets__Pfx: 'changed', Signing__SelfSigned__SubjectName: 'CN=Other Feed', Signing__SelfSigned__KeySize: '3072', Signing__SelfSigned__HashAlgorithm: 'SHA384', Signing__SelfSigned__ValidityInDays: '90' }), db), (error: unknown) => {
    assert.ok(isFeedError(error, 'CONFIG_INVALID'));
    assert.match(error.message, /Signing:CertificatePasswordSecret: the certificate persisted at .* cannot be opened with the password from Secrets:Pfx \(named by Signing:CertificatePasswordSecret\)/);
    return true;
  });
  await assert.rejects(openSigningKey(signingConfig(storage, { Signing__SelfSigned__SubjectName: 'nonsense', Signing__SelfSigned__CertificatePath: 'certs/other.pfx' }), db), (error: unknown) => {
    assert.ok(isFeedError(error, 'CONFIG_INVALID'));
    assert.match(error.message, /^Signing:SelfSigned:SubjectName: Subject 'nonsense' is not a distinguished name/);
    return true;
  });
});
