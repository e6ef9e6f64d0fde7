// SPDX-License-Identifier: MIT
// The validated, frozen configuration every other module receives.

/** One address to listen on, from `Urls`. */
export interface ListenAddress {
  readonly protocol: 'http' | 'https';
  /** Host to bind: `localhost`, an IP, or `0.0.0.0` for `*`/`+`. */
  readonly host: string;
  readonly port: number;
}

/** Where a StoredCertificate comes from: a file, or a .NET-style certificate store directory. */
export type StoredCertificateSource =
  | { readonly kind: 'file'; readonly filePath: string; readonly keyFilePath: string }
  | {
      readonly kind: 'store';
      /** Uppercase SHA-1 hex. */
      readonly thumbprint: string;
      readonly storeName: string;
      readonly storeLocation: 'CurrentUser' | 'LocalMachine';
      /** Root of the stores (the store is the `storeName` subdirectory, lowercased). */
      readonly storeDirectory: string;
    };

/** The certificate password and the configuration key it came from (named in error messages). */
export interface ResolvedSecret {
  readonly value: string;
  /** e.g. `Signing:CertificatePassword`, or `(none)` when no password is configured. */
  readonly key: string;
}

/** The signing settings: only the modes this version can sign with get this far. */
export interface SigningConfig {
  readonly mode: 'SelfSigned' | 'StoredCertificate';
  /** Empty when timestamping is disabled. */
  readonly timestampServerUrl: string;
  readonly publishSignaturePolicy: 'ReSign' | 'Reject';
  readonly hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  readonly signOnPush: boolean;
  /** SelfSigned only: publish unsigned when signing fails. */
  readonly allowUnsignedOnFailure: boolean;
  /** 0 disables watching the certificate and config files. */
  readonly reloadIntervalMs: number;
  readonly rotation: { readonly enabled: boolean; readonly packagesPerMinute: number };
  readonly password: ResolvedSecret;
  readonly selfSigned: {
    /** The distinguished name, built from Organization, OrganizationalUnit and Country when SubjectName is empty. */
    readonly subjectName: string;
    readonly keySize: 2048 | 3072 | 4096;
    readonly validityInDays: number;
    readonly hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
    /** Absolute path of the persisted PFX. */
    readonly certificatePath: string;
    readonly renewBeforeDays: number;
  };
  readonly storedCertificate: StoredCertificateSource | undefined;
}

/** The feed configuration, parsed once at startup. Paths are absolute. */
export interface Config {
  readonly listen: readonly ListenAddress[];
  /** Base URL clients use, without a trailing slash; undefined derives it from each request. */
  readonly publicBaseUrl: string | undefined;
  readonly trustedProxies: readonly string[];
  readonly storagePath: string;
  /** Undefined selects the embedded database under `storagePath`. */
  readonly databaseConnectionString: string | undefined;
  /** PostgreSQL pool: size and how long a request waits for a connection. */
  readonly databasePool: { readonly maxConnections: number; readonly acquireTimeoutMs: number };
  /** SHA-256 digests of the accepted API keys; the keys themselves are not kept. */
  readonly apiKeyHashes: readonly Buffer[];
  readonly requireAuthenticationForReads: boolean;
  readonly tls: { readonly certificatePath: string; readonly keyPath: string } | undefined;
  readonly maxPackageSizeBytes: number;
  readonly packageDeletesBehavior: 'Unlist' | 'HardDelete';
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
  readonly signing: SigningConfig;
}
