// SPDX-License-Identifier: MIT
// `reposign sign --provider`: each registered provider's schema fields become flags (kebab-case, or
// the name in their metadata), listed by --help; unknown and unavailable providers are usage errors.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Type } from 'typebox';

import { main } from '../../../src/cli/main.js';
import { fieldFlag, registerSigningProvider, textField, verifyPackage } from '../../../src/index.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { buildZip, samplePackageEntries } from '../../helpers/zip-builder.js';

const URL = 'https://feed.example/v3/index.json';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let dir: string;
let unsigned: string;

before(async () => {
  dir = await makeTempDir('cli-providers');
  unsigned = join(dir, 'Cli.Providers.1.0.0.nupkg');
  await writeFile(unsigned, buildZip(samplePackageEntries('Cli.Providers', '1.0.0')).bytes);
});
after(() => removeTempDir(dir));

describe('reposign sign --provider', () => {
  test('flags are the kebab-case of the field unless its metadata names one', () => {
    assert.equal(fieldFlag('ValidityInDays', Type.Integer()), 'validity-in-days');
    assert.equal(fieldFlag('KeyId', Type.String()), 'key-id');
    assert.equal(fieldFlag('VaultURI', Type.String()), 'vault-uri');
    assert.equal(fieldFlag('FilePath', textField('x', { flag: 'certificate-path' })), 'certificate-path');
  });

  test('--help lists every provider with its flags, and a newly registered one', async () => {
    registerSigningProvider({
      kind: 'HelpProbe',
      summary: 'a provider registered by this test',
      configSchema: Type.Object({ ProbeSetting: textField('what the probe needs') }),
      unavailable: 'it is only a probe',
      validate: (config) => ({ ok: true, settings: config }),
      source: () => ({ field: 'ProbeSetting', location: 'nowhere' }),
    });
    const help = await run('sign', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: reposign sign <package-path>\.\.\. --certificate-path/);
    for (const flag of ['--certificate-path', '--private-key-path', '--certificate-password', '--certificate-fingerprint', '--certificate-store-name', '--certificate-store-location', '--subject-name', '--key-size', '--validity-in-days']) {
      assert.match(help.out, new RegExp(`\\n {4}${flag} <value>`), flag);
    }
    assert.match(help.out, /StoredCertificate \(default\): /);
    assert.match(help.out, /AwsSigner: [^\n]*\n {4}not available in this version: AWS Signer cannot produce the RSA PKCS#1 v1\.5 signature NuGet requires; use AwsKms/);
    assert.match(help.out, /HelpProbe: a provider registered by this test\n {4}not available in this version: it is only a probe/);
  });

  test('SelfSigned through its derived flags generates a certificate and signs', async () => {
    const pfx = join(dir, 'self-signed.pfx');
    const result = await run(
      'sign', unsigned, '--provider', 'SelfSigned', '--certificate-path', pfx, '--key-size', 'KeySize2048', '--subject-name', 'CN=CLI Self Signed',
      '--validity-in-days', '30', '--renew-before-days', '1', '--v3-service-index-url', URL, '--output', join(dir, 'self-signed'),
    );
    assert.equal(result.code, 0, result.err);
    const verification = await verifyPackage(join(dir, 'self-signed', 'Cli.Providers.1.0.0.nupkg'));
    assert.equal(verification.valid, true, JSON.stringify(verification.issues));
    assert.equal(verification.inspection?.signatures[0]?.certificate?.subject, 'CN=CLI Self Signed');
  });

  test('StoredCertificate from a certificate store needs the store flags; a bad value names its flag', async () => {
    const missing = await run('sign', unsigned, '--certificate-fingerprint', 'AB'.repeat(20), '--v3-service-index-url', URL, '--overwrite');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--certificate-store-name: is required with Thumbprint/);
    const badEnum = await run('sign', unsigned, '--certificate-fingerprint', 'AB'.repeat(20), '--certificate-store-location', 'Moon', '--v3-service-index-url', URL, '--overwrite');
    assert.equal(badEnum.code, 2);
    assert.match(badEnum.err, /--certificate-store-location: /);
  });

  test('an unknown provider and an unavailable one exit 2; another provider\'s flag is unknown', async () => {
    const unknown = await run('sign', unsigned, '--provider', 'NoSuchKms', '--v3-service-index-url', URL, '--overwrite');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /No signing provider 'NoSuchKms'/);
    const refused = await run('sign', unsigned, '--provider', 'AwsSigner', '--region', 'eu-west-1', '--profile-name', 'nuget', '--v3-service-index-url', URL, '--overwrite');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /Provider AwsSigner is not available in this version of reposign: AWS Signer cannot produce/);
    const foreign = await run('sign', unsigned, '--provider', 'SelfSigned', '--private-key-path', 'k.pem', '--v3-service-index-url', URL, '--overwrite');
    assert.equal(foreign.code, 2);
  });
});
