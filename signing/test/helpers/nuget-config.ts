// SPDX-License-Identifier: MIT
// Writes NuGet.Config files for tests: package sources, signature validation mode and trusted signers.
import { writeFile } from 'node:fs/promises';

/** A package source; an http URL needs `allowInsecureConnections` with the .NET 9+ SDKs (NU1302). */
export interface NuGetSource {
  readonly name: string;
  readonly url: string;
  readonly allowInsecureConnections?: boolean;
}

/** A `<repository>` trusted signer: matches repository primaries and repository countersignatures. */
export interface RepositoryTrustedSigner {
  readonly kind: 'repository';
  readonly name: string;
  readonly serviceIndex: string;
  /** SHA-256 of the signing (leaf) certificates; written uppercase. */
  readonly fingerprints: readonly string[];
  readonly allowUntrustedRoot?: boolean;
  readonly owners?: readonly string[];
}

/** An `<author>` trusted signer: matches author primary signatures only. */
export interface AuthorTrustedSigner {
  readonly kind: 'author';
  readonly name: string;
  readonly fingerprints: readonly string[];
  readonly allowUntrustedRoot?: boolean;
}

/** Everything {@link writeNuGetConfig} can put in a NuGet.Config. */
export interface NuGetConfigOptions {
  readonly sources: readonly NuGetSource[];
  readonly signatureValidationMode?: 'accept' | 'require';
  readonly trustedSigners?: ReadonlyArray<RepositoryTrustedSigner | AuthorTrustedSigner>;
  readonly globalPackagesFolder?: string;
  /** Emit `<clear />` first in packageSources (default true), so no other config adds sources. */
  readonly clear?: boolean;
}

/**
 * Writes a NuGet.Config to `path`. Fingerprints are uppercased because NuGet looks up
 * `allowUntrustedRoot` by ordinal comparison with uppercase hex (NuGet/Home#13198).
 */
export async function writeNuGetConfig(path: string, options: NuGetConfigOptions): Promise<void> {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', '<configuration>'];
  const settings: string[] = [];
  if (options.signatureValidationMode !== undefined) settings.push(addKey('signatureValidationMode', options.signatureValidationMode));
  if (options.globalPackagesFolder !== undefined) settings.push(addKey('globalPackagesFolder', options.globalPackagesFolder));
  if (settings.length > 0) lines.push('  <config>', ...settings.map((s) => `    ${s}`), '  </config>');

  lines.push('  <packageSources>');
  if (options.clear ?? true) lines.push('    <clear />');
  for (const source of options.sources) {
    const insecure = source.allowInsecureConnections === true ? ' allowInsecureConnections="true"' : '';
    lines.push(`    <add key="${xml(source.name)}" value="${xml(source.url)}"${insecure} />`);
  }
  lines.push('  </packageSources>');

  if (options.trustedSigners !== undefined) {
    lines.push('  <trustedSigners>');
    for (const signer of options.trustedSigners) {
      const open = signer.kind === 'repository'
        ? `<repository name="${xml(signer.name)}" serviceIndex="${xml(signer.serviceIndex)}">`
        : `<author name="${xml(signer.name)}">`;
      lines.push(`    ${open}`);
      for (const fingerprint of signer.fingerprints) {
        lines.push(
          `      <certificate fingerprint="${xml(fingerprint.replaceAll(':', '').toUpperCase())}" hashAlgorithm="SHA256" allowUntrustedRoot="${signer.allowUntrustedRoot === true}" />`,
        );
      }
      if (signer.kind === 'repository' && signer.owners !== undefined && signer.owners.length > 0) {
        lines.push(`      <owners>${xml(signer.owners.join(';'))}</owners>`);
      }
      lines.push(`    </${signer.kind}>`);
    }
    lines.push('  </trustedSigners>');
  }
  lines.push('</configuration>', '');
  await writeFile(path, lines.join('\n'));
}

function addKey(key: string, value: string): string {
  return `<add key="${xml(key)}" value="${xml(value)}" />`;
}

function xml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
