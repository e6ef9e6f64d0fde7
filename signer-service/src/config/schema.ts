// SPDX-License-Identifier: MIT
// The one configuration schema of the feed. Key names follow the appsettings conventions of the
// reference product so that `Section__Key` environment variables map one to one.

import { Type, type Static } from 'typebox';

/** Every value `Signing:Mode` (or its alias `Signing:Provider`) accepts. */
export const SIGNING_MODES = ['SelfSigned', 'StoredCertificate', 'AzureKeyVault', 'AwsKms', 'AwsSigner', 'GcpKms', 'GcpHsm', 'Pkcs11'] as const;

/** The modes this version can sign with; the others are validated, then refused at startup. */
export const AVAILABLE_SIGNING_MODES = ['SelfSigned', 'StoredCertificate'] as const;

const HashAlgorithm = () => Type.Enum(['SHA256', 'SHA384', 'SHA512'], { default: 'SHA256' });
const Text = () => Type.String({ default: '' });

const SelfSignedSchema = Type.Object(
  {
    /** Full distinguished name; empty builds `CN=reposign repository signing` plus O, OU and C. */
    SubjectName: Text(),
    Organization: Text(),
    OrganizationalUnit: Text(),
    /** Two-letter ISO country code. */
    Country: Type.String({ default: '', pattern: '^([A-Za-z]{2})?$' }),
    /** `2048`, `3072`, `4096`, or the reference product's `KeySize2048` form (normalised on load). */
    KeySize: Type.Enum([2048, 3072, 4096], { default: 4096 }),
    ValidityInDays: Type.Integer({ minimum: 1, maximum: 3650, default: 3650 }),
    /** The certificate's own signature algorithm. */
    HashAlgorithm: HashAlgorithm(),
    /** PFX under Storage.Path, encrypted with the certificate password, created on first start. */
    CertificatePath: Type.String({ minLength: 1, default: 'certs/repository-signing.pfx' }),
    /** A new certificate is generated when the current one has fewer days left than this. */
    RenewBeforeDays: Type.Integer({ minimum: 0, maximum: 3649, default: 30 }),
    CertificatePasswordSecret: Text(),
  },
  { default: {} },
);

const StoredCertificateSchema = Type.Object(
  {
    /** A .pfx/.p12 file, or a PEM file holding the certificate (and the key unless KeyFilePath is set). */
    FilePath: Text(),
    KeyFilePath: Text(),
    Password: Text(),
    CertificatePasswordSecret: Text(),
    /** SHA-1 thumbprint of a certificate in a .NET-style certificate store directory. */
    Thumbprint: Text(),
    StoreName: Text(),
    StoreLocation: Type.Enum(['', 'CurrentUser', 'LocalMachine'], { default: '' }),
    /** Overrides the root directory of the stores (see docs/configuration.md). */
    StoreDirectory: Text(),
  },
  { default: {} },
);

const AzureKeyVaultSchema = Type.Object(
  {
    VaultUri: Text(),
    CertificateName: Text(),
    CertificateVersion: Text(),
    AuthenticationMode: Type.Enum(['Default', 'ManagedIdentity', 'ClientSecret'], { default: 'Default' }),
    TenantId: Text(),
    ClientId: Text(),
    ClientSecret: Text(),
    ClientSecretConfigurationKey: Text(),
  },
  { default: {} },
);

const AwsKmsSchema = Type.Object(
  {
    Region: Text(),
    KeyId: Text(),
    SigningAlgorithm: Type.Enum(['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256'], {
      default: 'RSASSA_PKCS1_V1_5_SHA_256',
    }),
    /** PEM certificate (chain) of the KMS key. */
    CertificatePath: Text(),
    AccessKeyId: Text(),
    SecretAccessKey: Text(),
    SecretAccessKeyConfigurationKey: Text(),
  },
  { default: {} },
);

const AwsSignerSchema = Type.Object(
  {
    Region: Text(),
    ProfileName: Text(),
    AccessKeyId: Text(),
    SecretAccessKey: Text(),
    SecretAccessKeyConfigurationKey: Text(),
  },
  { default: {} },
);

const GcpKmsSchema = Type.Object(
  {
    ProjectId: Text(),
    Location: Text(),
    KeyRing: Text(),
    KeyName: Text(),
    KeyVersion: Text(),
    ProtectionLevel: Type.Enum(['Software', 'Hsm'], { default: 'Hsm' }),
    CertificatePath: Text(),
    ServiceAccountKeyPath: Text(),
    ServiceAccountKeyPathConfigurationKey: Text(),
  },
  { default: {} },
);

const GcpHsmSchema = Type.Object(
  {
    ProjectId: Text(),
    Location: Text(),
    ClusterName: Text(),
    ServiceAccountKeyPath: Text(),
    ServiceAccountKeyPathConfigurationKey: Text(),
  },
  { default: {} },
);

const Pkcs11Schema = Type.Object(
  {
    /** The PKCS#11 module (.so), e.g. SoftHSM2's libsofthsm2.so. */
    ModulePath: Text(),
    TokenLabel: Text(),
    SlotId: Text(),
    KeyLabel: Text(),
    KeyId: Text(),
    Pin: Text(),
    PinConfigurationKey: Text(),
    /** PEM certificate (chain) of the token's key. */
    CertificatePath: Text(),
  },
  { default: {} },
);

const RotationSchema = Type.Object(
  {
    /** Re-signs packages signed by an older certificate with the current one, in the background. */
    Enabled: Type.Boolean({ default: false }),
    PackagesPerMinute: Type.Integer({ minimum: 1, maximum: 6000, default: 30 }),
  },
  { default: {} },
);

const SigningSchema = Type.Object(
  {
    /** No default here: `Provider` is its alias, and SelfSigned applies only when both are absent. */
    Mode: Type.Optional(Type.Enum([...SIGNING_MODES])),
    Provider: Type.Optional(Type.Enum([...SIGNING_MODES])),
    /** Names another configuration key (e.g. `Signing:CertificatePassword`) holding the password. */
    CertificatePasswordSecret: Text(),
    /** The password itself; the usual target of CertificatePasswordSecret. */
    CertificatePassword: Text(),
    /** RFC 3161 server; an empty string disables timestamping. */
    TimestampServerUrl: Type.String({ default: 'http://timestamp.digicert.com' }),
    PublishSignaturePolicy: Type.Enum(['ReSign', 'Reject'], { default: 'ReSign' }),
    /** Digest of the package signatures. */
    HashAlgorithm: HashAlgorithm(),
    /** False stores pushed packages as received and signs each on its first download. */
    SignOnPush: Type.Boolean({ default: true }),
    /** SelfSigned only: publish unsigned when signing fails (allRepositorySigned then turns false). */
    AllowUnsignedOnFailure: Type.Boolean({ default: false }),
    /** How often mounted certificate and config files are checked for changes; 0 disables. */
    ReloadIntervalSeconds: Type.Number({ minimum: 0, maximum: 3600, default: 10 }),
    Rotation: RotationSchema,
    SelfSigned: SelfSignedSchema,
    StoredCertificate: StoredCertificateSchema,
    AzureKeyVault: AzureKeyVaultSchema,
    AwsKms: AwsKmsSchema,
    AwsSigner: AwsSignerSchema,
    GcpKms: GcpKmsSchema,
    GcpHsm: GcpHsmSchema,
    Pkcs11: Pkcs11Schema,
  },
  { default: {} },
);

/** The configuration schema; every key has a default so an empty file is a valid configuration. */
export const ConfigSchema = Type.Object({
  /** Listen addresses, `;`-separated, ASP.NET style (`http://localhost:5000`, `https://+:5001`). */
  Urls: Type.String({ minLength: 1, default: 'http://localhost:5000' }),
  /** Absolute base URL clients use (behind an ingress); empty derives it from each request. */
  PublicBaseUrl: Type.String({ default: '' }),
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
  Authentication: Type.Object({ RequireForReads: Type.Boolean({ default: false }) }, { default: {} }),
  Tls: Type.Object(
    { CertificatePath: Type.String({ default: '' }), KeyPath: Type.String({ default: '' }) },
    { default: {} },
  ),
  MaxPackageSizeBytes: Type.Integer({ minimum: 1, default: 250 * 1024 * 1024 }),
  PackageDeletesBehavior: Type.Enum(['Unlist', 'HardDelete'], { default: 'Unlist' }),
  ShutdownTimeoutSeconds: Type.Integer({ minimum: 1, default: 30 }),
  Logging: Type.Object(
    { Level: Type.Enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { default: 'info' }) },
    { default: {} },
  ),
  Signing: SigningSchema,
});

/** The configuration exactly as the schema validates it. */
export type RawConfig = Static<typeof ConfigSchema>;
