// SPDX-License-Identifier: MIT
// The parts of a .nuspec the feed shows in registration and search documents.

import { XMLParser } from 'fast-xml-parser';
import { ReposignError } from '@reposign/signing';
import { isValidPackageId } from './package-id.js';
import { isSemVer2, rangeIsSemVer2, tryParseVersion, type NuGetVersion } from './version.js';

/** One dependency of a dependency group. */
export interface NuspecDependency {
  readonly id: string;
  readonly range: string;
}

/** Dependencies for one target framework (`targetFramework` empty for the framework-agnostic group). */
export interface NuspecDependencyGroup {
  readonly targetFramework: string;
  readonly dependencies: readonly NuspecDependency[];
}

/** Package metadata read from a .nuspec. */
export interface NuspecMetadata {
  readonly id: string;
  readonly version: NuGetVersion;
  readonly description: string;
  readonly authors: string;
  readonly title: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly projectUrl: string;
  readonly iconUrl: string;
  readonly licenseUrl: string;
  readonly requireLicenseAcceptance: boolean;
  readonly dependencyGroups: readonly NuspecDependencyGroup[];
  readonly packageTypes: readonly string[];
  /** True when the version or a dependency range needs a SemVer 2.0 client. */
  readonly semVer2: boolean;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ['group', 'dependency', 'packageType'].includes(name),
});

type XmlNode = Record<string, unknown>;

function asNode(value: unknown): XmlNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as XmlNode) : undefined;
}

function asNodes(value: unknown): XmlNode[] {
  return Array.isArray(value) ? value.map(asNode).filter((node): node is XmlNode => node !== undefined) : [];
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = asNode(value);
  const inner = node?.['#text'];
  return typeof inner === 'string' ? inner : '';
}

function dependenciesOf(nodes: XmlNode[]): NuspecDependency[] {
  return nodes.map((node) => ({ id: text(node['@id']), range: text(node['@version']) })).filter((dep) => dep.id !== '');
}

function dependencyGroups(metadata: XmlNode): NuspecDependencyGroup[] {
  const dependencies = asNode(metadata['dependencies']);
  if (dependencies === undefined) return [];
  const groups = asNodes(dependencies['group']).map((group) => ({
    targetFramework: text(group['@targetFramework']),
    dependencies: dependenciesOf(asNodes(group['dependency'])),
  }));
  const flat = dependenciesOf(asNodes(dependencies['dependency']));
  return flat.length > 0 ? [{ targetFramework: '', dependencies: flat }, ...groups] : groups;
}

/**
 * Parses nuspec XML. Throws NUSPEC_INVALID when the XML is malformed or the id or version is
 * missing or not valid for NuGet.
 */
export function parseNuspec(xml: string | Uint8Array): NuspecMetadata {
  let document: XmlNode;
  try {
    document = parser.parse(typeof xml === 'string' ? xml : Buffer.from(xml).toString('utf8'), true) as XmlNode;
  } catch (cause) {
    throw new ReposignError('NUSPEC_INVALID', 'The .nuspec is not well-formed XML.', { cause });
  }
  const metadata = asNode(asNode(document['package'])?.['metadata']);
  if (metadata === undefined) throw new ReposignError('NUSPEC_INVALID', 'The .nuspec has no <package><metadata> element.');
  const id = text(metadata['id']);
  if (!isValidPackageId(id)) throw new ReposignError('NUSPEC_INVALID', `The .nuspec id '${id}' is not a valid package id.`);
  const versionText = text(metadata['version']);
  const version = tryParseVersion(versionText);
  if (version === undefined) throw new ReposignError('NUSPEC_INVALID', `The .nuspec version '${versionText}' is not a valid NuGet version.`);
  const groups = dependencyGroups(metadata);
  const packageTypes = asNodes(asNode(metadata['packageTypes'])?.['packageType']).map((node) => text(node['@name']));
  return {
    id,
    version,
    description: text(metadata['description']),
    authors: text(metadata['authors']),
    title: text(metadata['title']),
    summary: text(metadata['summary']),
    tags: text(metadata['tags']).split(/[\s,;]+/).filter((tag) => tag !== ''),
    projectUrl: text(metadata['projectUrl']),
    iconUrl: text(metadata['iconUrl']),
    licenseUrl: text(metadata['licenseUrl']),
    requireLicenseAcceptance: text(metadata['requireLicenseAcceptance']).toLowerCase() === 'true',
    dependencyGroups: groups,
    packageTypes: packageTypes.filter((name) => name !== ''),
    semVer2: isSemVer2(version) || groups.some((group) => group.dependencies.some((dep) => rangeIsSemVer2(dep.range))),
  };
}
