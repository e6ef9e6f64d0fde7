// SPDX-License-Identifier: MIT
// The contract of a key backend: its kind, its configuration schema, a check without I/O, and how
// it opens a key. Front ends (the feed, the CLI, the operator) derive their settings from it.

import type { Static, TObject } from 'typebox';

import { ReposignError, type ErrorCode } from '../errors.js';
import type { SigningKey } from '../signing-key.js';

/** A validation finding: `path` names the offending field of the block (`''` for the block as a whole). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** A secret and the setting it came from (named in error messages). */
export interface ResolvedSecret {
  readonly value: string;
  /** e.g. `Signing:CertificatePassword`, or `(none)` when no password is configured. */
  readonly key: string;
}

/** How the front end that configures a backend names its settings, and the password it resolved. */
export interface SettingsContext {
  /** How the user spells a field of this backend's block in messages: `Signing:StoredCertificate:FilePath`, `--certificate-path`. */
  settingName(field: string): string;
  /** How the user spells the choice of backend: `Signing:Mode`, `--provider`. */
  readonly modeSetting: string;
  /**
   * The certificate password, resolved by the front end from the fields the schema marks with a
   * `password` role (see provider-fields.ts) and its own shared settings.
   */
  readonly password: ResolvedSecret;
  /** The setting to change when the password is wrong, for messages: `Signing:CertificatePasswordSecret`, `--certificate-password`. */
  readonly passwordSetting: string;
}

/** What `validate` receives besides the block: the settings context and where relative paths resolve. */
export interface ProviderContext extends SettingsContext {
  /** Directory that relative paths given by the user resolve against. */
  readonly cwd: string;
  /** Directory that relative paths of files the backend itself keeps resolve against (the feed's Storage:Path). */
  readonly dataDirectory: string;
  /** The user's home directory, when known. */
  readonly home: string | undefined;
}

/** What `open` receives besides the validated settings, whose paths are already absolute. */
export interface OpenContext extends SettingsContext {
  /** Aborts a slow open (a KMS that does not answer). */
  readonly signal?: AbortSignal | undefined;
  /** The time validity is judged at; default now. */
  readonly now?: Date | undefined;
  /** Told when the backend created key material instead of opening existing material, and why. */
  keyCreated?(reason: string): void;
}

/** Which field names the key and where the key is, for messages: `FilePath` and `/etc/reposign/signing.pfx`. */
export interface KeySource {
  readonly field: string;
  readonly location: string;
}

/** The outcome of {@link SigningProviderBase.validate}: normalised settings, or every problem found. */
export type ProviderValidation<Settings> =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** What every backend declares, whether or not it can open keys in this version. */
export interface SigningProviderBase<Schema extends TObject = TObject, Settings = unknown> {
  /** The feed's `Signing:Mode` name and the CLI's `--provider` value: PascalCase (`StoredCertificate`). */
  readonly kind: string;
  /** One line for help texts and docs. */
  readonly summary: string;
  /**
   * The block's schema: PascalCase keys as the feed's `Signing:<kind>` block spells them, each with
   * a default. Field metadata (provider-fields.ts) names CLI flags and password fields.
   */
  readonly configSchema: Schema;
  /** Checks a block that passed the schema and normalises it (absolute paths, canonical values). No I/O. */
  validate(config: Static<Schema>, context: ProviderContext): ProviderValidation<Settings>;
  /** Which field names the key and where it is, for messages. */
  source(settings: Settings): KeySource;
}

/** A backend that opens keys. */
export interface OpenableSigningProvider<Schema extends TObject = TObject, Settings = unknown> extends SigningProviderBase<Schema, Settings> {
  readonly unavailable?: undefined;
  /**
   * True when `open` may write the key material it reads (SelfSigned generates a PFX): front ends
   * that run several processes over one storage serialise opens of one {@link KeySource}.
   */
  readonly writesKeyMaterial?: boolean;
  /**
   * Opens the key. Throws ReposignError (KEY_*, CERTIFICATE_*, SIGNING_UNAVAILABLE) on failure;
   * a {@link ProviderSettingError} when one setting is to blame.
   */
  open(settings: Settings, context: OpenContext): Promise<SigningKey>;
}

/** A backend whose configuration is known but that cannot open keys in this version, and says why. */
export interface UnavailableSigningProvider<Schema extends TObject = TObject, Settings = unknown> extends SigningProviderBase<Schema, Settings> {
  /** Why it cannot sign (yet): shown when it is selected; never a silent fallback. */
  readonly unavailable: string;
  readonly open?: undefined;
}

/** A key backend, as registered. */
export type SigningProvider<Schema extends TObject = TObject, Settings = unknown> =
  | OpenableSigningProvider<Schema, Settings>
  | UnavailableSigningProvider<Schema, Settings>;

/**
 * A ReposignError caused by one setting (a missing file, a subject that is not a distinguished
 * name): `setting` is the name the user knows it by, as {@link ProviderContext.settingName} gave
 * it, and the message reads after it.
 */
export class ProviderSettingError extends ReposignError {
  readonly setting: string;

  constructor(code: ErrorCode, setting: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.setting = setting;
  }
}
