// SPDX-License-Identifier: MIT
// The one configuration schema of the feed. Key names follow the appsettings conventions of the
// reference product so that `Section__Key` environment variables map one to one.

import { Type, type Static } from 'typebox';

const SelfSignedSchema = Type.Object(
  {
    /** Distinguished name of the generated certificate. */
    SubjectName: Type.String({ minLength: 4, default: 'CN=reposign repository signing (self-signed)' }),
    KeySize: Type.Enum([2048, 3072, 4096], { default: 4096 }),
    ValidityInDays: Type.Integer({ minimum: 1, maximum: 3650, default: 3650 }),
    /** PEM file (certificate and key) under Storage.Path, created on first start and reused. */
    CertificatePath: Type.String({ minLength: 1, default: 'certs/repository-signing.pem' }),
  },
  { default: {} },
);

const StoredCertificateSchema = Type.Object(
  {
    /** A .pfx/.p12 file, or a PEM file holding the certificate (and the key unless KeyFilePath is set). */
    FilePath: Type.String({ default: '' }),
    KeyFilePath: Type.String({ default: '' }),
    Password: Type.String({ default: '' }),
  },
  { default: {} },
);

const SigningSchema = Type.Object(
  {
    Mode: Type.Enum(['SelfSigned', 'StoredCertificate'], { default: 'SelfSigned' }),
    /** RFC 3161 server; an empty string disables timestamping. */
    TimestampServerUrl: Type.String({ default: 'http://timestamp.digicert.com' }),
    PublishSignaturePolicy: Type.Enum(['ReSign', 'Reject'], { default: 'ReSign' }),
    HashAlgorithm: Type.Enum(['SHA256', 'SHA384', 'SHA512'], { default: 'SHA256' }),
    /** False stores pushed packages as received and signs each on its first download. */
    SignOnPush: Type.Boolean({ default: true }),
    SelfSigned: SelfSignedSchema,
    StoredCertificate: StoredCertificateSchema,
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
  Database: Type.Object({ ConnectionString: Type.String({ default: '' }) }, { default: {} }),
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
