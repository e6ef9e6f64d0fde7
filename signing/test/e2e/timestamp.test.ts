// SPDX-License-Identifier: MIT
// RFC 3161 timestamps from a local openssl authority on repository primary signatures, judged by
// the real NuGet client.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createTimestamper, inspectPackage, openPemKey, repositorySignPackage } from '../../src/index.js';
import {
  dotnetAvailable,
  packTestPackage,
  prepareTrustingSdk,
  requireDotnet,
  verifyPackages,
  type TrustingSdk,
} from '../helpers/dotnet.js';
import { writeNuGetConfig } from '../helpers/nuget-config.js';
import { createSelfSigned, type TestCertificate } from '../helpers/pki.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { startTsa, type TestTsa } from '../helpers/tsa-server.js';

const SERVICE_INDEX = 'https://feed.reposign.test/v3/index.json';

describe('timestamped repository signatures and the NuGet client', () => {
  let dir: string;
  let tsa: TestTsa;
  let deadTsa: TestTsa;
  let sdk: TrustingSdk;
  let key: TestCertificate;
  let unsigned: string;

  before(async () => {
    dir = await makeTempDir('e2e-timestamp');
    if (!(await dotnetAvailable())) return;
    tsa = await startTsa();
    deadTsa = await startTsa({ mode: 'hang' });
    key = await createSelfSigned(dir, { subject: 'Reposign E2E Timestamped', keyBits: 2048 });
    sdk = await prepareTrustingSdk({ codeSigningRoots: [], timestampingRoots: [tsa.rootCertPem] });
    unsigned = await packTestPackage(dir, { id: 'Reposign.E2E.Timestamped', version: '3.0.0' });
  });

  after(async () => {
    await tsa?.close();
    await deadTsa?.close();
    await sdk?.dispose();
    await removeTempDir(dir);
  });

  test('a primary signature timestamped after a TSA failover passes verify once the TSA root is trusted', async (t) => {
    if (!(await requireDotnet(t))) return;
    const signingKey = await openPemKey({ certificatePem: key.certPem, privateKeyPem: key.keyPem });
    const output = join(dir, 'timestamped.nupkg');
    for (const hashAlgorithm of ['SHA256', 'SHA512'] as const) {
      const timestamper = createTimestamper({ urls: [deadTsa.url, tsa.url], timeoutMs: 1_000, hashAlgorithm });
      await repositorySignPackage(unsigned, output, { key: signingKey, serviceIndexUrl: SERVICE_INDEX, timestamper });
      const inspection = await inspectPackage(output);
      assert.equal(inspection.signatures[0]?.timestamps.length, 1);
      assert.match(inspection.signatures[0].timestamps[0].tsaSubject, /TSA/);

      const config = join(dir, 'timestamp.config');
      await writeNuGetConfig(config, {
        sources: [],
        trustedSigners: [{ kind: 'repository', name: 'ts', serviceIndex: SERVICE_INDEX, fingerprints: [key.fingerprintSha256], allowUntrustedRoot: true }],
      });
      const trusted = await verifyPackages(sdk.dotnet, [output], { configFile: config });
      assert.equal(trusted.code, 0, trusted.output);
      assert.doesNotMatch(trusted.output, /NU3027/);
      assert.match(trusted.output, /Timestamp: /);

      // The stock SDK does not trust a private TSA, and allowUntrustedRoot never applies to timestamps.
      const stock = await verifyPackages('dotnet', [output], { configFile: config });
      assert.notEqual(stock.code, 0);
      assert.match(stock.output, /NU3028/);
    }
    assert.ok(deadTsa.requests >= 2, 'the hanging TSA was tried first each time');
    await signingKey.close();
    assert.ok((await readFile(output)).length > 0);
  });
});
