// SPDX-License-Identifier: MIT
// The validated, frozen configuration every other module receives.

import type { ResolvedSecret } from '@reposign/signing';

export type { ResolvedSecret };

/** One address to listen on, from `Urls`. */
export interface ListenAddress {
  readonly protocol: 'http' | 'https';
  /** Host to bind: `localhost`, an IP, or `0.0.0.0` for `*`/`+`. */
  readonly host: string;
  readonly port: number;
}

/** The signing settings: only providers that can open keys in this version get this far. */
export interface SigningConfig {
  /** The kind of the registered provider that opens the key (`SelfSigned`, `StoredCertificate`, ...). */
  readonly mode: string;
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
  /** The certificate password and the setting it came from. */
  readonly password: ResolvedSecret;
  /** The provider's validated settings, in its own shape: only the provider reads them. */
  readonly settings: unknown;
  /** Absolute path of a PEM file of certificates to list as published; empty for none. */
  readonly publishedCertificatesPath: string;
}

/** The feed configuration, parsed once at startup. Paths are absolute. */
export interface Config {
  readonly listen: readonly ListenAddress[];
  /**
   * Base URL clients use, without a trailing slash. Undefined only when listening on loopback alone:
   * then it comes from each request whose Host is a loopback name or in `allowedHosts`.
   */
  readonly publicBaseUrl: string | undefined;
  /** Lowercase host names accepted in the Host header besides PublicBaseUrl's (and loopback's). */
  readonly allowedHosts: readonly string[];
  /** Connection cap and request body timeouts. */
  readonly limits: {
    readonly maxConnections: number;
    readonly bodyIdleTimeoutMs: number;
    /** 0 disables the rate check. */
    readonly bodyMinBytesPerSecond: number;
    readonly bodyMinRateWindowMs: number;
    /** Pushes processed at once (later ones wait their turn, their bodies unread); 0: no limit. */
    readonly maxConcurrentPushes: number;
  };
  /** Wrong API keys one client address may present per minute before its keyed requests get 429. */
  readonly maxFailedApiKeyAttemptsPerMinute: number;
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
  /** How long SIGTERM keeps accepting requests with readiness off, before closing the listener. */
  readonly shutdownDrainMs: number;
  readonly logLevel: string;
  readonly signing: SigningConfig;
}
