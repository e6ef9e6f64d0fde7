// SPDX-License-Identifier: MIT
// `npm run bench:remote-keys`: repository-signing throughput of a small package through AwsKms
// (the loopback KMS, real SDK) and Pkcs11 (SoftHSM2), next to a local key of the same size in the
// same run, as ratios; and the number of remote signing calls per package (the target is one).

import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateSelfSignedCertificate, openPemKey, repositorySignPackage, signingProvider, type SigningKey } from '@reposign/signing';

import { openProviderKey } from '../signing/src/cli/provider-key.js';
import { buildZip, samplePackageEntries } from '../signing/test/helpers/zip-builder.js';
import { startAwsKmsServer } from '../test/kms/aws-kms-server.js';
import { createSoftHsmToken } from '../test/kms/pkcs11-softhsm.js';

const PACKAGES = 200;

async function throughput(key: SigningKey, input: string, dir: string): Promise<number> {
  const options = { key, serviceIndexUrl: 'https://bench.reposign.test/v3/index.json' };
  await repositorySignPackage(input, join(dir, 'warm.nupkg'), options);
  const started = performance.now();
  for (let i = 0; i < PACKAGES; i += 1) await repositorySignPackage(input, join(dir, 'out.nupkg'), options);
  return PACKAGES / ((performance.now() - started) / 1000);
}

const dir = await mkdtemp(join(tmpdir(), 'reposign-remote-bench-'));
try {
  const input = join(dir, 'in.nupkg');
  await writeFile(input, buildZip(samplePackageEntries('Bench.Remote', '1.0.0')).bytes);
  const certificate = await generateSelfSignedCertificate({ subject: 'CN=reposign bench', keyBits: 2048 });
  const local = await openPemKey(certificate);

  const kms = await startAwsKmsServer();
  kms.addKey('RSA_2048', 'alias/bench', createPrivateKey(certificate.privateKeyPem));
  process.env['BENCH_AWS_SECRET'] = kms.secretAccessKey;
  const aws = await openProviderKey(signingProvider('AwsKms'), {
    'aws-region': kms.region, 'aws-kms-key-id': 'alias/bench', 'aws-kms-endpoint': kms.url,
    'aws-access-key-id': kms.accessKeyId, 'aws-secret-access-key-variable': 'BENCH_AWS_SECRET',
  });
  const token = await createSoftHsmToken(dir);
  token.generateKey('bench', { rsaBits: 2048 });
  process.env['BENCH_PIN'] = token.pin;
  const hsm = await openProviderKey(signingProvider('Pkcs11'), {
    'pkcs11-module': token.modulePath, 'pkcs11-token': token.label, 'pkcs11-key-label': 'bench', 'pkcs11-pin-variable': 'BENCH_PIN',
  });

  const localRate = await throughput(local, input, dir);
  const signsBefore = kms.calls.filter((call) => call === 'TrentService.Sign').length;
  const awsRate = await throughput(aws, input, dir);
  const signsPerPackage = (kms.calls.filter((call) => call === 'TrentService.Sign').length - signsBefore) / (PACKAGES + 1);
  const hsmRate = await throughput(hsm, input, dir);
  console.log(`packages signed per second (${PACKAGES} packages, RSA 2048, same run):`);
  console.log(`  local key   ${localRate.toFixed(1)}`);
  console.log(`  AwsKms      ${awsRate.toFixed(1)}  (${(awsRate / localRate).toFixed(2)}x local; ${signsPerPackage} KMS Sign call(s) per package)`);
  console.log(`  Pkcs11      ${hsmRate.toFixed(1)}  (${(hsmRate / localRate).toFixed(2)}x local)`);
  await Promise.all([aws.close(), hsm.close(), local.close(), kms.close()]);
} finally {
  await rm(dir, { recursive: true, force: true });
}
