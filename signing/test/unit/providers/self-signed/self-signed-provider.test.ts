// SPDX-License-Identifier: MIT
// The SelfSigned backend on its own: validate normalises the block without I/O, open generates and
// persists a certificate once, then reuses it, and the key's revision follows the persisted file.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Static } from 'typebox';
import { Value } from 'typebox/value';

import { signingProvider } from '../../../../src/index.js';
import { selfSignedProvider, SelfSignedSchema } from '../../../../src/providers/self-signed/self-signed-provider.js';
import type { OpenContext, ProviderContext } from '../../../../src/providers/signing-provider.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
const naming = { settingName: (field: string) => `SelfSigned.${field}`, modeSetting: 'mode', password: { value: 'pw', key: 'test' }, passwordSetting: 'password' };

before(async () => {
  dir = await makeTempDir('self-signed-provider');
});
after(() => removeTempDir(dir));

describe('SelfSigned provider', () => {
  test('is registered under its Signing:Mode name', () => assert.equal(signingProvider('SelfSigned'), selfSignedProvider));

  test('validate builds the subject and resolves the path against the data directory, or names RenewBeforeDays', () => {
    const context: ProviderContext = { ...naming, cwd: '/cwd', dataDirectory: dir, home: undefined };
    const config = Value.Default(SelfSignedSchema, { Organization: 'Contoso', Country: 'nl', KeySize: 2048 }) as Static<typeof SelfSignedSchema>;
    const validated = selfSignedProvider.validate(config, context);
    assert.ok(validated.ok);
    assert.equal(validated.settings.subjectName, 'CN=reposign repository signing (self-signed), O=Contoso, C=NL');
    assert.equal(validated.settings.certificatePath, join(dir, 'certs/repository-signing.pfx'));
    const wrong = selfSignedProvider.validate({ ...config, RenewBeforeDays: 10, ValidityInDays: 10 }, context);
    assert.deepEqual(wrong.ok ? [] : wrong.problems, [{ path: 'RenewBeforeDays', message: 'must be less than SelfSigned.ValidityInDays' }]);
  });

  test('open generates once, then reuses; the revision follows the file', async () => {
    const settings = { subjectName: 'CN=Provider Test', keySize: 2048 as const, validityInDays: 30, hashAlgorithm: 'SHA256' as const, certificatePath: join(dir, 'key.pfx'), renewBeforeDays: 1 };
    const created: string[] = [];
    const context: OpenContext = { ...naming, keyCreated: (reason) => created.push(reason) };
    const first = await selfSignedProvider.open(settings, context);
    const again = await selfSignedProvider.open(settings, context);
    assert.deepEqual(created, ['no certificate was persisted yet']);
    assert.deepEqual(again.certificateChain(), first.certificateChain());
    const revision = await first.revision?.();
    assert.equal(await again.revision?.(), revision);
    await writeFile(settings.certificatePath, 'replaced');
    assert.notEqual(await first.revision?.(), revision, 'a changed file is a new revision');
    await selfSignedProvider.open(settings, context);
    assert.deepEqual(created, ['no certificate was persisted yet', 'the persisted file is not a readable PFX']);
  });
});
