// SPDX-License-Identifier: MIT
// `npm run bench:remote-keys`: repository-signing throughput of a small package through AwsKms,
// AzureKeyVault and GcpKms (their loopback servers, real SDKs) and Pkcs11 (SoftHSM2), next to a local
// key of the same size in the same run, as ratios; and the number of remote signing calls per
// package (the target is one). The Key Vault and Cloud KMS servers speak TLS, trusted through
// NODE_EXTRA_CA_CERTS (read by Node at start) and GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (grpc-js's roots):
// the bench makes the test CA, then re-runs itself with both set.

import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { generateSelfSignedCertificate, openPemKey, repositorySignPackage, signingProvider, type SigningKey } from '@reposign/signing';

import { openProviderKey } from '../signing/src/cli/provider-key.js';
import { buildZip, samplePackageEntries } from '../signing/test/helpers/zip-builder.js';
import { createTlsMaterial, type TlsMaterial } from '../test/helpers/feed-process.js';
import { startAwsKmsServer } from '../test/kms/aws-kms-server.js';
import { startTestKeyVault } from '../test/kms/azure-key-vault-server.js';
import { startTestCloudKms } from '../test/kms/gcp-kms-server.js';
import { createSoftHsmToken } from '../test/kms/pkcs11-softhsm.js';

const PACKAGES = 200;
/** The TLS material of the loopback servers, handed from the first run to the re-run. */
const TLS_VARIABLE = 'REPOSIGN_BENCH_TLS';

if (process.env[TLS_VARIABLE] === undefined) {
  const tlsDir = await mkdtemp(join(tmpdir(), 'reposign-remote-bench-tls-'));
  try {
    const material = await createTlsMaterial(tlsDir);
    const rerun = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
      env: { ...process.env, [TLS_VARIABLE]: JSON.stringify(material), NODE_EXTRA_CA_CERTS: material.caBundlePath, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: material.caBundlePath, METADATA_SERVER_DETECTION: 'none' },
    });
    process.exitCode = rerun.status ?? 1;
  } finally {
    await rm(tlsDir, { recursive: true, force: true });
  }
} else {
  await bench(JSON.parse(process.env[TLS_VARIABLE]) as TlsMaterial);
}

async function throughput(key: SigningKey, input: string, dir: string): Promise<number> {
  const options = { key, serviceIndexUrl: 'https://bench.reposign.test/v3/index.json' };
  await repositorySignPackage(input, join(dir, 'warm.nupkg'), options);
  const started = performance.now();
  for (let i = 0; i < PACKAGES; i += 1) await repositorySignPackage(input, join(dir, 'out.nupkg'), options);
  return PACKAGES / ((performance.now() - started) / 1000);
}

/** Calls of `calls` whose name `isSign` accepts, per package of one throughput run (its warm-up included). */
function perPackage(calls: readonly string[], before: number, isSign: (call: string) => boolean): number {
  return calls.slice(before).filter(isSign).length / (PACKAGES + 1);
}

async function bench(tls: TlsMaterial): Promise<void> {
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
    const vault = await startTestKeyVault(tls);
    vault.addCertificate('bench', { certificate: new X509Certificate(Buffer.from(certificate.certificatePem)).raw, key: createPrivateKey(certificate.privateKeyPem) });
    process.env['BENCH_AZURE_SECRET'] = vault.clientSecret;
    const azure = await openProviderKey(signingProvider('AzureKeyVault'), {
      'azure-key-vault-url': vault.url, 'azure-key-vault-certificate': 'bench', 'azure-authentication-mode': 'ClientSecret',
      'azure-tenant-id': vault.tenantId, 'azure-client-id': vault.clientId, 'azure-client-secret-variable': 'BENCH_AZURE_SECRET',
      'azure-authority-host': vault.url, 'azure-disable-challenge-resource-verification': 'true',
    });
    const cloudKms = await startTestCloudKms(dir, tls);
    const cryptoKey = 'projects/reposign-bench/locations/europe-west1/keyRings/bench/cryptoKeys/bench';
    cloudKms.addKey(cryptoKey, [{ key: createPrivateKey(certificate.privateKeyPem), algorithm: 'RSA_SIGN_PKCS1_2048_SHA256', protectionLevel: 'HSM' }]);
    const gcp = await openProviderKey(signingProvider('GcpKms'), { 'gcp-kms-key': cryptoKey, 'gcp-kms-endpoint': cloudKms.endpoint, 'gcp-service-account-key': cloudKms.serviceAccountKeyPath });
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
    const vaultBefore = vault.calls.length;
    const azureRate = await throughput(azure, input, dir);
    const vaultSigns = perPackage(vault.calls, vaultBefore, (call) => call.endsWith('/sign'));
    const vaultOther = perPackage(vault.calls, vaultBefore, (call) => !call.endsWith('/sign'));
    const cloudKmsBefore = cloudKms.calls.length;
    const gcpRate = await throughput(gcp, input, dir);
    const gcpSigns = perPackage(cloudKms.calls, cloudKmsBefore, (call) => call === 'AsymmetricSign');
    const gcpOther = perPackage(cloudKms.calls, cloudKmsBefore, (call) => call !== 'AsymmetricSign');
    const hsmRate = await throughput(hsm, input, dir);
    const row = (name: string, rate: number, calls: string) => console.log(`  ${name.padEnd(14)}${rate.toFixed(1).padStart(7)}  ${(rate / localRate).toFixed(2)}x local${calls}`);
    console.log(`packages signed per second (${PACKAGES} packages, RSA 2048, same run):`);
    row('local key', localRate, '');
    row('AwsKms', awsRate, `; ${signsPerPackage} KMS Sign call(s) per package`);
    row('AzureKeyVault', azureRate, `; ${vaultSigns} Key Vault sign call(s) and ${vaultOther} other call(s) per package`);
    row('GcpKms', gcpRate, `; ${gcpSigns} AsymmetricSign call(s) and ${gcpOther} other call(s) per package`);
    row('Pkcs11', hsmRate, '');
    await Promise.all([aws.close(), azure.close(), gcp.close(), hsm.close(), local.close(), kms.close(), vault.close(), cloudKms.close()]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
