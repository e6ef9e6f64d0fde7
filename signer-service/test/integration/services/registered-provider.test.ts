// SPDX-License-Identifier: MIT
// The provider registry is open: a key backend written outside the engine, with only the public
// API of @reposign/signing, registers itself, is selected by the feed's configuration
// (`Signing:Mode` and its own `Signing:<kind>` block), and signs a package that the engine's
// verifier and the real NuGet client accept. No engine file knows it.

import assert from 'node:assert/strict';
import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  ReposignError,
  certificatesFromPem,
  isReposignError,
  registerSigningProvider,
  repositorySignPackage,
  requiredFields,
  signInputDigest,
  signingProvider,
  signingProviders,
  textField,
  verifyPackage,
  type HashAlgorithmName,
  type OpenableSigningProvider,
  type SignInput,
  type SigningKey,
  type SignOptions,
} from '@reposign/signing';
import { Type } from 'typebox';
import { loadConfig } from '../../../src/config/load-config.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded-database.js';
import { isFeedError } from '../../../src/errors.js';
import { openSigningKey } from '../../../src/services/signing-key-source.js';
import { requireDotnet, verifyPackages } from '../../../../signing/test/helpers/dotnet.js';
import { writeNuGetConfig } from '../../../../signing/test/helpers/nuget-config.js';
import { createSelfSigned } from '../../../../signing/test/helpers/pki.js';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { buildZip, samplePackageEntries } from '../../../../signing/test/helpers/zip-builder.js';

const KIND = 'ThrowawayKms';
const SERVICE_INDEX = 'https://feed.reposign.test/v3/index.json';

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1): what a remote key's "raw PKCS#1" API expects in front of the digest. */
const DIGEST_INFO_PREFIX: Record<HashAlgorithmName, string> = {
  SHA256: '3031300d060960864801650304020105000420',
  SHA384: '3041300d060960864801650304020205000430',
  SHA512: '3051300d060960864801650304020305000440',
};

/** What the throwaway key saw, for assertions. */
const calls: { input: SignInput; signal: AbortSignal }[] = [];

const ThrowawaySchema = Type.Object({
  KeyPath: textField('PEM private key standing in for the remote key.'),
  CertificatePath: textField('PEM certificate of the key.'),
  KeyVersion: textField('Reported as the key revision.', { flag: 'throwaway-key-version' }),
});

/** A "remote" key: it only ever signs digests, the way KMS APIs do. */
const throwawayProvider: OpenableSigningProvider<typeof ThrowawaySchema, { keyPath: string; certificatePath: string; keyVersion: string }> = {
  kind: KIND,
  summary: 'a test stand-in for a KMS',
  configSchema: ThrowawaySchema,
  validate(config, context) {
    const problems = requiredFields(KIND, config, ['KeyPath', 'CertificatePath'], context);
    const settings = { keyPath: resolve(context.cwd, config.KeyPath), certificatePath: resolve(context.cwd, config.CertificatePath), keyVersion: config.KeyVersion || '1' };
    return problems.length > 0 ? { ok: false, problems } : { ok: true, settings };
  },
  source: (settings) => ({ field: 'KeyPath', location: settings.keyPath }),
  async open(settings): Promise<SigningKey> {
    const privateKey = createPrivateKey(await readFile(settings.keyPath));
    const chain = certificatesFromPem(await readFile(settings.certificatePath, 'utf8'));
    return {
      kind: KIND,
      certificateChain: () => chain,
      async sign(input: SignInput, hash: HashAlgorithmName, options: SignOptions) {
        calls.push({ input, signal: options.signal });
        const digestInfo = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[hash], 'hex'), signInputDigest(input, hash)]);
        return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
      },
      revision: async () => `version ${settings.keyVersion}`,
      close: async () => undefined,
    };
  },
};

test('a provider registered from outside the engine is configured by the feed and signs a package NuGet accepts', { timeout: 300_000 }, async (t) => {
  const dir = await tempDirFor(t, 'registered-provider');
  registerSigningProvider(throwawayProvider);

  await t.test('the registry: listed with its schema, a second registration refused, an unknown kind is PROVIDER_UNKNOWN', () => {
    assert.equal(signingProvider(KIND), throwawayProvider);
    assert.ok(signingProviders().some((provider) => provider.kind === KIND && provider.configSchema === ThrowawaySchema));
    assert.throws(() => registerSigningProvider(throwawayProvider), (error: unknown) => error instanceof ReposignError && error.code === 'INVALID_ARGUMENT');
    assert.throws(() => signingProvider('NoSuchKms'), (error: unknown) => isReposignError(error, 'PROVIDER_UNKNOWN'));
  });

  await t.test('the feed derives Signing:Mode and the Signing:ThrowawayKms block from the registry', () => {
    assert.throws(
      () => loadConfig({ argv: [], cwd: dir, env: { Signing__Mode: KIND } }),
      (error: unknown) => isFeedError(error, 'CONFIG_INVALID') && /Signing:ThrowawayKms:KeyPath: is required when Signing:Mode is ThrowawayKms/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ argv: [], cwd: dir, env: { Signing__Mode: 'NoSuchKms' } }),
      (error: unknown) => isFeedError(error, 'CONFIG_INVALID') && /Signing:Mode: must be one of .*ThrowawayKms/.test(error.message),
    );
  });

  const certificate = await createSelfSigned(dir, { subject: 'Throwaway KMS', keyBits: 2048 });
  const { config, warnings } = loadConfig({
    argv: [],
    cwd: dir,
    env: {
      Storage__Path: join(dir, 'data'),
      Signing__Mode: KIND,
      Signing__ThrowawayKms__KeyPath: certificate.keyPath,
      Signing__ThrowawayKms__CertificatePath: certificate.certPath,
      Signing__ThrowawayKms__KeyVersion: '7',
      Signing__TimestampServerUrl: '',
    },
  });
  assert.deepEqual(warnings, []);
  assert.equal(config.signing.mode, KIND);
  const db = await openEmbeddedDatabase(undefined);
  t.after(() => db.close());
  const opened = await openSigningKey(config.signing, db);
  t.after(() => opened.key.close());
  assert.equal(opened.certificate.fingerprintSha256.toUpperCase(), certificate.fingerprintSha256);
  assert.equal(await opened.key.revision?.(), 'version 7');

  const unsigned = join(dir, 'Throwaway.Package.1.0.0.nupkg');
  const signed = join(dir, 'signed', 'Throwaway.Package.1.0.0.nupkg');
  await writeFile(unsigned, buildZip(samplePackageEntries('Throwaway.Package', '1.0.0')).bytes);
  await mkdir(join(dir, 'signed'));
  const result = await repositorySignPackage(unsigned, signed, { key: opened.key, serviceIndexUrl: SERVICE_INDEX, hashAlgorithm: 'SHA384' });
  assert.equal(result.after, 'repository');
  assert.equal(calls.length, 1, 'one signature, through the engine');
  assert.ok(calls[0]?.signal instanceof AbortSignal, 'the engine hands every sign an AbortSignal');

  const verification = await verifyPackage(signed, { certificateFingerprints: [certificate.fingerprintSha256] });
  assert.equal(verification.valid, true, JSON.stringify(verification.issues));

  if (!(await requireDotnet(t))) return;
  const nugetConfig = join(dir, 'nuget.config');
  await writeNuGetConfig(nugetConfig, {
    sources: [],
    trustedSigners: [{ kind: 'repository', name: 'throwaway', serviceIndex: SERVICE_INDEX, fingerprints: [certificate.fingerprintSha256], allowUntrustedRoot: true }],
  });
  const dotnet = await verifyPackages('dotnet', [signed], { configFile: nugetConfig });
  assert.equal(dotnet.code, 0, dotnet.output);
  assert.match(dotnet.output, /Signature type: Repository/);
});
