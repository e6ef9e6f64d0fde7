// SPDX-License-Identifier: MIT
// Opens the key the configuration names through its provider and checks it the way NuGet will;
// every failure becomes a CONFIG_INVALID message naming the configuration key. A provider that
// writes its key material (SelfSigned) opens under a database lock, so replicas starting
// together create one key between them.

import {
  ProviderSettingError,
  describeCertificate,
  isReposignError,
  signingCertificateIssues,
  signingProvider,
  type CertificateInfo,
  type KeySource,
  type OpenableSigningProvider,
  type SigningKey,
} from '@reposign/signing';
import type { SigningConfig } from '../config/config.js';
import { settingsContext } from '../config/signing-config.js';
import type { Database } from '../db/database.js';
import { FeedError } from '../errors.js';

/** A stored certificate must stay valid at least this long after startup or a reload. */
export const MINIMUM_REMAINING_VALIDITY_MS = 5 * 60 * 1000;

/** An opened, checked signing key. */
export interface OpenedSigningKey {
  readonly key: SigningKey;
  readonly certificate: CertificateInfo;
  /** Why the provider created key material (a SelfSigned certificate) in this call; undefined when it opened existing material. */
  readonly generatedBecause: string | undefined;
}

function openableProvider(signing: SigningConfig): OpenableSigningProvider {
  const provider = signingProvider(signing.mode);
  // The configuration refuses such a mode; a caller that built its own SigningConfig gets the same answer.
  if (provider.unavailable !== undefined) throw new FeedError('CONFIG_INVALID', `Signing:Mode: mode ${provider.kind} is not available in this version of reposign: ${provider.unavailable}.`);
  return provider;
}

/** Which setting names the configured key and where the key is, for messages and logs. */
export function keySourceOf(signing: SigningConfig): KeySource & { readonly setting: string } {
  const source = signingProvider(signing.mode).source(signing.settings);
  return { ...source, setting: `Signing:${signing.mode}:${source.field}` };
}

/** The CONFIG_INVALID error for a provider's failure to open: the setting at fault first, then why. */
function openError(error: unknown, signing: SigningConfig): FeedError {
  const strip = (text: string): string => text.replace(/\.$/, '');
  if (error instanceof ProviderSettingError) return new FeedError('CONFIG_INVALID', `${error.setting}: ${strip(error.message)}.`, { cause: error });
  const source = keySourceOf(signing);
  const detail = isReposignError(error, 'KEY_BAD_PASSWORD')
    ? `the password is wrong (it comes from ${signing.password.key})`
    : isReposignError(error)
      ? strip(error.message)
      : String(error);
  return new FeedError('CONFIG_INVALID', `${source.setting}: ${source.location}: ${detail}.`, { cause: error });
}

/**
 * Whether opening the configured key needs the database: only a provider that writes key material
 * (SelfSigned) does, for its lock. Any other key can be opened, and refused, before the database is.
 */
export function signingKeyNeedsDatabase(signing: SigningConfig): boolean {
  return openableProvider(signing).writesKeyMaterial === true;
}

/**
 * Opens and checks the configured key through its provider, under a database advisory lock on the
 * key's location when the provider writes key material (`db` is then required; see
 * signingKeyNeedsDatabase); `now` is the time validity is judged at.
 * Throws CONFIG_INVALID with the offending key path: a missing file, a wrong password, no private
 * key, or a certificate chain the NuGet client would reject (the engine's signing-certificate policy: key,
 * algorithms, EKU, basic constraints and key usage along the chain, validity) or one expiring within 5 minutes.
 */
export async function openSigningKey(signing: SigningConfig, db: Pick<Database, 'withAdvisoryLock'> | undefined, now?: Date): Promise<OpenedSigningKey> {
  const provider = openableProvider(signing);
  let generatedBecause: string | undefined;
  const context = { ...settingsContext(signing.mode, signing.password), now, keyCreated: (reason: string) => (generatedBecause = reason) };
  const open = (): Promise<SigningKey> => provider.open(signing.settings, context);
  let key: SigningKey;
  try {
    const lockName = `reposign:${signing.mode.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}:${provider.source(signing.settings).location}`;
    if (provider.writesKeyMaterial !== true) key = await open();
    else if (db === undefined) throw new Error(`The ${signing.mode} key writes key material, so it is opened under a database lock: pass the database.`);
    else key = await db.withAdvisoryLock(lockName, open);
  } catch (error) {
    throw openError(error, signing);
  }
  const chain = key.certificateChain();
  const leaf = chain[0];
  const issues = leaf === undefined ? ['it holds no certificate'] : signingCertificateIssues(chain, { minimumValidityMs: MINIMUM_REMAINING_VALIDITY_MS, now });
  if (leaf === undefined || issues.length > 0) {
    await key.close();
    const source = keySourceOf(signing);
    const subject = leaf === undefined ? '' : ` '${describeCertificate(leaf).subject}'`;
    throw new FeedError('CONFIG_INVALID', `${source.setting}: the certificate${subject} in ${source.location} cannot sign NuGet packages: ${issues.join('; ')}.`);
  }
  return { key, certificate: describeCertificate(leaf), generatedBecause };
}
