// SPDX-License-Identifier: MIT
// The validated, frozen configuration every other module receives.

/** One address to listen on, from `Urls`. */
export interface ListenAddress {
  readonly protocol: 'http' | 'https';
  /** Host to bind: `localhost`, an IP, or `0.0.0.0` for `*`/`+`. */
  readonly host: string;
  readonly port: number;
}

/** The signing settings of this version (SelfSigned or a stored certificate file). */
export interface SigningConfig {
  readonly mode: 'SelfSigned' | 'StoredCertificate';
  /** Empty when timestamping is disabled. */
  readonly timestampServerUrl: string;
  readonly publishSignaturePolicy: 'ReSign' | 'Reject';
  readonly hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  readonly signOnPush: boolean;
  readonly selfSigned: {
    readonly subjectName: string;
    readonly keySize: 2048 | 3072 | 4096;
    readonly validityInDays: number;
    /** Absolute path of the persisted PEM (certificate and private key). */
    readonly certificatePath: string;
  };
  readonly storedCertificate: {
    readonly filePath: string;
    readonly keyFilePath: string;
    readonly password: string;
  };
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
