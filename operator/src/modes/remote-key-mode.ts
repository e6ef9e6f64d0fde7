// SPDX-License-Identifier: MIT
// The cloud KMS and PKCS#11 modes (AzureKeyVault, AwsKms, GcpKms, GcpHsm, Pkcs11): the private key
// stays in the vault and never enters Kubernetes. Each pass opens the key through the signing
// engine's registered provider, as the signer-service will: credentials from the user's Secrets
// (or the operator pod's ambient identity when none are named), the certificate from the vault,
// from the configured chain or self-issued by the key, checked against NuGet's certificate policy.
// The signer-service gets the provider block and the credentials, never a key. A key rotated in the
// vault shows as a new certificate (or key version) at the next periodic look and is published.

import { X509Certificate } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { certificatesFromPem, certificateToPem, issueCodeSigningCertificate, signingProvider, type HashAlgorithmName, type SigningKey, type SigningProvider } from '@reposign/signing';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import { SECRETS } from '../kube/resources.js';
import { issuedCertificateSecret, issuedCertificateSecretName, readIssuedCertificate } from '../objects/issued-certificate-secret.js';
import { mountedFile } from '../objects/signer-config-secret.js';
import type { ProviderVerdict } from '../reconcile/observed.js';
import { parseDuration } from '../reconcile/time.js';
import { credentialDirectory } from './credential-directory.js';
import { distinguishedName } from './distinguished-name.js';
import { policyProblems } from './engine-key-material.js';
import { certificateFacts } from './key-material.js';
import type { IssueAction, ModeContext, ModeHandler, ModeState } from './mode-handler.js';
import { providerFailure } from './provider-failure.js';
import { operatorSettingsContext, resolveProviderBlock, specSettingName, type ResolvedProviderBlock } from './remote-provider-block.js';

/** How often the vault is read again without any watch event: a rotated key or certificate appears within this. */
export const REMOTE_RECHECK_MS = 60_000;

/** How long opening the key and reading its certificate may take in one pass, retries included. */
const OPEN_TIMEOUT_MS = 30_000;

/** Back-dates notBefore of a certificate the operator has the key sign, so clocks slightly behind accept it (NU3017). */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

/** The config Secret key of a certificate the operator had the key sign. */
const ISSUED_FILE_KEY = 'issued-certificate.pem';

const HASHES: Readonly<Record<string, HashAlgorithmName>> = { SHA256WithRSA: 'SHA256', SHA384WithRSA: 'SHA384', SHA512WithRSA: 'SHA512' };

/** A key opened for one pass, with the block it was opened from. */
interface OpenedKey {
  readonly mode: string;
  readonly key: SigningKey;
  readonly resolved: ResolvedProviderBlock;
  /** The key in messages: `alias/feed in eu-west-1`. */
  readonly where: string;
  /** A key-only mode with no configured certificate: the certificate is self-issued by the key. */
  readonly selfIssued: boolean;
}

function notReady(provider: ProviderVerdict): ModeState {
  return { material: { state: 'Missing', detail: provider.message }, provider, recheckAfterMs: REMOTE_RECHECK_MS };
}

/** Opens `signer`'s key through the engine in a private directory `dir`; a not-ready verdict when it cannot. */
async function openKey(provider: SigningProvider, signer: RepositorySigner, context: ModeContext, mountPath: string, dir: string): Promise<OpenedKey | ProviderVerdict> {
  const mode = provider.kind;
  if (provider.unavailable !== undefined) return { ready: false, reason: 'NotImplemented', message: `Mode ${mode} cannot make NuGet repository signatures: ${provider.unavailable}` };
  const resolved = await resolveProviderBlock(signer, provider, context, mountPath, dir);
  if (typeof resolved === 'string') return { ready: false, reason: 'InvalidProviderConfig', message: resolved };
  const settings = operatorSettingsContext(mode, resolved.password);
  const validated = provider.validate(resolved.config, { ...settings, cwd: dir, dataDirectory: dir, home: undefined });
  if (!validated.ok) {
    return { ready: false, reason: 'InvalidProviderConfig', message: validated.problems.map((problem) => `${specSettingName(mode, problem.path)}: ${problem.message}`).join('; ') };
  }
  try {
    const key = await provider.open(validated.settings, { ...settings, signal: AbortSignal.timeout(OPEN_TIMEOUT_MS), now: new Date(context.clock.now()) });
    return { mode, key, resolved, where: provider.source(validated.settings).location, selfIssued: resolved.config['CertificatePath'] === '' };
  } catch (error) {
    return providerFailure(error);
  }
}

/** Runs `use` on `signer`'s opened key; the key is closed and the credential files removed afterwards. */
async function withKey<T>(signer: RepositorySigner, context: ModeContext, mountPath: string, use: (opened: OpenedKey) => Promise<T>): Promise<T | ProviderVerdict> {
  let provider: SigningProvider;
  try {
    provider = signingProvider(signer.spec.mode);
  } catch (error) {
    return providerFailure(error);
  }
  // Credential files live only for this pass, readable by the operator alone.
  const dir = await credentialDirectory();
  try {
    const opened = await openKey(provider, signer, context, mountPath, dir);
    if (!('key' in opened)) return opened;
    try {
      return await use(opened);
    } finally {
      await opened.key.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function spkiOf(der: Uint8Array): Buffer {
  return new X509Certificate(Buffer.from(der)).publicKey.export({ type: 'spki', format: 'der' });
}

/** The certificate the operator had this key sign (rotation, renewal), when one exists and is still the key's. */
async function issuedFor(signer: RepositorySigner, context: ModeContext, engineLeaf: Uint8Array): Promise<Uint8Array | undefined> {
  const pem = readIssuedCertificate(await context.secret(signer.metadata.namespace, issuedCertificateSecretName(signer)));
  const [issued] = pem === undefined ? [] : certificatesFromPem(pem);
  // A key replaced in the vault or in the spec makes an earlier certificate stale: the engine's own one applies again.
  return issued !== undefined && spkiOf(issued).equals(spkiOf(engineLeaf)) ? issued : undefined;
}

/** The state of an opened key: its chain must satisfy NuGet's policy (validity aside, the core judges it). */
async function stateOf(opened: OpenedKey, signer: RepositorySigner, context: ModeContext, mountPath: string): Promise<ModeState> {
  const { key, mode, where } = opened;
  const engineChain = key.certificateChain();
  const [engineLeaf] = engineChain;
  if (engineLeaf === undefined) return notReady({ ready: false, reason: 'KeyRejected', message: `${where}: the provider returned no certificate` });
  const issued = opened.selfIssued ? await issuedFor(signer, context, engineLeaf) : undefined;
  const chain = issued === undefined ? engineChain : [issued];
  const problems = policyProblems(chain);
  if (problems.length > 0) {
    return notReady({ ready: false, reason: 'KeyRejected', message: `${where}: NuGet would reject signatures made with its certificate: ${problems.join('; ')}` });
  }
  const leaf = issued ?? engineLeaf;
  const version = await key.revision?.();
  const facts = certificateFacts(leaf);
  const { signing, files } = opened.resolved.signerConfig;
  const block = (signing[mode] ?? {}) as Readonly<Record<string, unknown>>;
  return {
    material: { state: 'Valid', certificate: facts, ...(version === undefined ? {} : { providerVersion: version }) },
    provider: {
      ready: true,
      reason: 'Valid',
      message: `${where} signs in mode ${mode}; certificate ${facts.fingerprintSha256.slice(0, 12)}${version === undefined ? '' : ` (version ${version})`}`,
      ...(version === undefined ? {} : { currentVersion: version }),
    },
    signerConfig:
      issued === undefined
        ? opened.resolved.signerConfig
        : {
            signing: { ...signing, [mode]: { ...block, CertificatePath: mountedFile(mountPath, ISSUED_FILE_KEY) } },
            files: { ...files, [ISSUED_FILE_KEY]: Buffer.from(certificateToPem(issued)) },
          },
    certificatePem: certificateToPem(leaf),
    recheckAfterMs: REMOTE_RECHECK_MS,
  };
}

async function gather(signer: RepositorySigner, context: ModeContext, mountPath: string): Promise<ModeState> {
  try {
    const state = await withKey(signer, context, mountPath, (opened) => stateOf(opened, signer, context, mountPath));
    return 'material' in state ? state : notReady(state);
  } catch (error) {
    return notReady(providerFailure(error));
  }
}

/**
 * Rotation and renewal. A key-only mode whose certificate is self-issued gets a new certificate
 * signed by the same remote key (subject, lifetime and signature algorithm from
 * `spec.certificate`), kept in the operator's issued-certificate Secret; rotating the key itself is
 * the vault's job. A certificate from the vault or from a configured chain can only be replaced
 * there: the failure says so and backs off, and the operator publishes the replacement when it appears.
 */
async function issue(signer: RepositorySigner, action: IssueAction, context: ModeContext): Promise<void> {
  const outcome = await withKey(signer, context, '/', async (opened) => {
    const mode = opened.mode;
    if (!opened.selfIssued) {
      const source =
        mode === 'AzureKeyVault'
          ? 'the certificate is the Key Vault certificate: renew it (or rotate its key) in the vault'
          : `the certificate comes from ${specSettingName(mode, 'CertificatePath')}: replace it there`;
      throw new Error(`mode ${mode} does not issue certificates in the operator; ${source}; the operator publishes the new one within ${REMOTE_RECHECK_MS / 1000}s`);
    }
    const [engineLeaf] = opened.key.certificateChain();
    if (engineLeaf === undefined) throw new Error(`${opened.where}: the provider returned no certificate`);
    const now = context.clock.now();
    const signal = AbortSignal.timeout(OPEN_TIMEOUT_MS);
    const der = await issueCodeSigningCertificate(
      {
        subject: distinguishedName(signer, action.request.subject),
        hashAlgorithm: HASHES[action.request.signatureAlgorithm] ?? 'SHA256',
        notBefore: new Date(now - CLOCK_SKEW_MS),
        notAfter: new Date(now + parseDuration(action.request.duration)),
      },
      spkiOf(engineLeaf),
      (tbs, hash) => opened.key.sign({ data: tbs }, hash, { signal }),
    );
    const secret = issuedCertificateSecret(signer, certificateToPem(der), { revision: action.revision, fingerprint: certificateFacts(der).fingerprintSha256 });
    const current = await context.secret(signer.metadata.namespace, issuedCertificateSecretName(signer));
    if (current === undefined) await context.client.create(SECRETS, secret);
    else await context.client.replace(SECRETS, { ...secret, metadata: { ...secret.metadata, resourceVersion: current.metadata?.resourceVersion } });
    return 'issued' as const;
  });
  if (outcome !== 'issued') throw new Error(`the key cannot be used: ${outcome.message}`);
}

/** The handler of the cloud KMS and PKCS#11 modes. */
export const remoteKeyMode: ModeHandler = { gather, issue };
