// SPDX-License-Identifier: MIT
// The nuget.config a consumer pastes to restore from this feed in require mode.

/** What the snippet needs to know. */
export interface SnippetOptions {
  readonly sourceName: string;
  readonly serviceIndexUrl: string;
  /** Lowercase or uppercase hex SHA-256 of the signing certificate. */
  readonly fingerprintSha256: string;
  /** True for a self-signed or private-CA certificate the client cannot chain to a trusted root. */
  readonly allowUntrustedRoot: boolean;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A complete nuget.config. The fingerprint is written in uppercase: the client looks up
 * `allowUntrustedRoot` with a case-sensitive comparison against uppercase hex (spec §8.3). An http
 * source needs `allowInsecureConnections` with the .NET 9 and later SDKs.
 */
export function nugetConfigSnippet(options: SnippetOptions): string {
  const http = options.serviceIndexUrl.toLowerCase().startsWith('http://');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<configuration>',
    '  <packageSources>',
    '    <!-- clear: in require mode every source must be trusted, so this project restores only from this feed -->',
    '    <clear />',
    `    <add key="${escape(options.sourceName)}" value="${escape(options.serviceIndexUrl)}"${http ? ' allowInsecureConnections="true"' : ''} />`,
    '  </packageSources>',
    '  <config>',
    '    <!-- require: every restored package must carry a signature trusted below -->',
    '    <add key="signatureValidationMode" value="require" />',
    '  </config>',
    '  <trustedSigners>',
    `    <repository name="${escape(options.sourceName)}" serviceIndex="${escape(options.serviceIndexUrl)}">`,
    `      <certificate fingerprint="${options.fingerprintSha256.toUpperCase()}" hashAlgorithm="SHA256" allowUntrustedRoot="${options.allowUntrustedRoot}" />`,
    '    </repository>',
    '  </trustedSigners>',
    '</configuration>',
  ].join('\n');
}
