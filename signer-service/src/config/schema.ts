// SPDX-License-Identifier: MIT
// The one configuration schema of the feed. Key names follow the appsettings conventions of the
// reference product so that `Section__Key` environment variables map one to one. The `Signing`
// section holds the common keys plus one block per registered key provider, keyed by its kind.

import { signingProviders, type SigningProvider } from '@reposign/signing';
import { Type, type Static, type TObject } from 'typebox';

const Text = () => Type.String({ default: '' });

const RotationSchema = Type.Object(
  {
    /** Re-signs packages signed by an older certificate with the current one, in the background. */
    Enabled: Type.Boolean({ default: false }),
    PackagesPerMinute: Type.Integer({ minimum: 1, maximum: 6000, default: 30 }),
  },
  { default: {} },
);

/** The keys of `Signing` that belong to no provider. */
const SigningCommonSchema = Type.Object({
  /** No default here: `Provider` is its alias, and SelfSigned applies only when both are absent. */
  Mode: Type.Optional(Type.String()),
  Provider: Type.Optional(Type.String()),
  /** Names another configuration key (e.g. `Signing:CertificatePassword`) holding the password. */
  CertificatePasswordSecret: Text(),
  /** The password itself; the usual target of CertificatePasswordSecret. */
  CertificatePassword: Text(),
  /** RFC 3161 server; an empty string disables timestamping. */
  TimestampServerUrl: Type.String({ default: 'http://timestamp.digicert.com' }),
  PublishSignaturePolicy: Type.Enum(['ReSign', 'Reject'], { default: 'ReSign' }),
  /** Digest of the package signatures. */
  HashAlgorithm: Type.Enum(['SHA256', 'SHA384', 'SHA512'], { default: 'SHA256' }),
  /** False stores pushed packages as received and signs each on its first download. */
  SignOnPush: Type.Boolean({ default: true }),
  /** SelfSigned only: publish unsigned when signing fails (allRepositorySigned then turns false). */
  AllowUnsignedOnFailure: Type.Boolean({ default: false }),
  /** How often the signing key's source and the config file are checked for changes; 0 disables. */
  ReloadIntervalSeconds: Type.Number({ minimum: 0, maximum: 3600, default: 10 }),
  /**
   * A PEM file of certificates to list in the repository-signatures index besides those that signed
   * here (the operator writes every certificate it published); read at startup and when it changes.
   */
  PublishedCertificatesPath: Text(),
  Rotation: RotationSchema,
});

/** The `Signing` section: the common keys, `Mode`/`Provider` limited to the registered kinds, and each provider's block. */
function signingSchema(providers: readonly SigningProvider[]): TObject {
  const kinds = providers.map((provider) => provider.kind);
  const clash = kinds.find((kind) => Object.hasOwn(SigningCommonSchema.properties, kind));
  if (clash !== undefined) throw new Error(`Signing provider kind '${clash}' clashes with the common key Signing:${clash}.`);
  return Type.Object(
    {
      ...SigningCommonSchema.properties,
      Mode: Type.Optional(Type.Enum(kinds)),
      Provider: Type.Optional(Type.Enum(kinds)),
      ...Object.fromEntries(providers.map((provider) => [provider.kind, Type.Object(provider.configSchema.properties, { default: {} })])),
    },
    { default: {} },
  );
}

const TopLevelSchema = Type.Object({
  /** Listen addresses, `;`-separated, ASP.NET style (`http://localhost:5000`, `https://+:5001`). */
  Urls: Type.String({ minLength: 1, default: 'http://localhost:5000' }),
  /**
   * Absolute base URL clients use (behind an ingress). Required unless Urls listens on loopback
   * only; there, empty derives it from each request whose Host is a loopback name.
   */
  PublicBaseUrl: Type.String({ default: '' }),
  /** Extra host names (no port) accepted in the Host header; when set, any other Host gets 421. */
  AllowedHosts: Type.Array(Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' }), { default: [] }),
  /** Connection and request body limits against clients that hold connections open. */
  Limits: Type.Object(
    {
      /** Concurrent connections; further ones are closed at once. */
      MaxConnections: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1000 }),
      /** A request body that sends no byte for this long has its connection closed. */
      BodyIdleTimeoutSeconds: Type.Number({ minimum: 0.1, maximum: 3600, default: 30 }),
      /** Slowest body accepted, averaged over the window below; 0 disables the rate check. */
      BodyMinBytesPerSecond: Type.Integer({ minimum: 0, default: 1024 }),
      /** The rate window, and the grace period before the first rate check. */
      BodyMinRateWindowSeconds: Type.Number({ minimum: 0.1, maximum: 3600, default: 10 }),
      /** Pushes processed at once; later ones wait, unread, in arrival order. 0: no limit. */
      MaxConcurrentPushes: Type.Integer({ minimum: 0, maximum: 10_000, default: 0 }),
    },
    { default: {} },
  ),
  /** Proxy addresses or CIDRs whose X-Forwarded-* headers are honoured. */
  TrustedProxies: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  Storage: Type.Object({ Path: Type.String({ minLength: 1, default: 'data' }) }, { default: {} }),
  /** A PostgreSQL connection string; empty uses the embedded database under Storage.Path. */
  Database: Type.Object(
    {
      ConnectionString: Type.String({ default: '' }),
      /** PostgreSQL only: connections in the pool. */
      MaxConnections: Type.Integer({ minimum: 2, maximum: 1000, default: 10 }),
      /** PostgreSQL only: how long a request waits for a free connection before a 503. */
      AcquireTimeoutSeconds: Type.Number({ minimum: 0.1, maximum: 300, default: 10 }),
    },
    { default: {} },
  ),
  /** Push keys, plain or `sha256:<hex>`. */
  ApiKeys: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  Authentication: Type.Object(
    {
      RequireForReads: Type.Boolean({ default: false }),
      /** Wrong API keys accepted from one client address per minute; beyond, its keyed requests get 429. */
      MaxFailedAttemptsPerMinute: Type.Integer({ minimum: 1, maximum: 100_000, default: 10 }),
    },
    { default: {} },
  ),
  Tls: Type.Object(
    { CertificatePath: Type.String({ default: '' }), KeyPath: Type.String({ default: '' }) },
    { default: {} },
  ),
  MaxPackageSizeBytes: Type.Integer({ minimum: 1, default: 250 * 1024 * 1024 }),
  PackageDeletesBehavior: Type.Enum(['Unlist', 'HardDelete'], { default: 'Unlist' }),
  ShutdownTimeoutSeconds: Type.Integer({ minimum: 1, default: 30 }),
  ShutdownDrainSeconds: Type.Integer({ minimum: 0, maximum: 300, default: 5 }),
  Logging: Type.Object(
    { Level: Type.Enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { default: 'info' }) },
    { default: {} },
  ),
});

/**
 * The configuration schema, built from the providers registered now; every key has a default so
 * an empty file is a valid configuration.
 */
export function configSchema(providers: readonly SigningProvider[] = signingProviders()): TObject {
  return Type.Object({ ...TopLevelSchema.properties, Signing: signingSchema(providers) });
}

/** The `Signing` section as the schema validates it: the common keys, and each provider's block by kind. */
export type RawSigning = Static<typeof SigningCommonSchema> & { readonly [kind: string]: unknown };

/** The configuration exactly as the schema validates it. */
export type RawConfig = Static<typeof TopLevelSchema> & { readonly Signing: RawSigning };
