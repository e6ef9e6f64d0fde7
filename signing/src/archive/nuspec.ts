// SPDX-License-Identifier: MIT
// Reads the package's root .nuspec with a small, non-validating XML scan: no DTD, no external
// entities, only the five predefined entities and character references. The one manifest reader of
// the engine, the CLI and the feed (registration and search metadata come from here too).

import { ReposignError } from '../errors.js';
import type { PackageArchive } from './package-archive.js';
import { oncePerArchive } from './per-archive.js';

/** One `<dependency>`: the id and the version range as written (empty when absent). */
export interface NuspecDependency {
  readonly id: string;
  readonly range: string;
}

/**
 * The dependencies for one target framework. Dependencies listed outside any `<group>` form a
 * group with an empty `targetFramework`, placed first.
 */
export interface NuspecDependencyGroup {
  readonly targetFramework: string;
  readonly dependencies: readonly NuspecDependency[];
}

/**
 * What the manifest says, as written: text fields are trimmed and empty when absent. Checking the
 * id and version against NuGet's rules is the caller's concern.
 */
export interface NuspecInfo {
  readonly id: string;
  readonly version: string;
  readonly authors: string;
  readonly title: string;
  readonly description: string;
  readonly summary: string;
  /** `<tags>` split on spaces, commas and semicolons. */
  readonly tags: readonly string[];
  readonly projectUrl: string;
  readonly iconUrl: string;
  readonly licenseUrl: string;
  readonly requireLicenseAcceptance: boolean;
  readonly dependencyGroups: readonly NuspecDependencyGroup[];
  /** The `name` of each `<packageType>`. */
  readonly packageTypes: readonly string[];
  /** The whole manifest text. */
  readonly xml: string;
}

const MAX_NUSPEC_SIZE = 1024 * 1024;
// Comments, CDATA, processing instructions, declarations, tags (attribute values may hold '>'), text.
const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!([^>]*)>|<(\/?)([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|([^<]+)/y;
const ATTRIBUTES = /^(?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*$/;
const ATTRIBUTE = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const TEXT_FIELDS = [
  'id',
  'version',
  'authors',
  'title',
  'description',
  'summary',
  'tags',
  'projectUrl',
  'iconUrl',
  'licenseUrl',
  'requireLicenseAcceptance',
] as const;
type TextField = (typeof TEXT_FIELDS)[number];
const WANTED: ReadonlySet<string> = new Set(TEXT_FIELDS);

function invalid(message: string): ReposignError {
  return new ReposignError('NUSPEC_INVALID', `The .nuspec is invalid: ${message}.`);
}

function decodeText(text: string): string {
  if (/&(?!(?:lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/.test(text)) throw invalid('an undefined entity is used');
  return text.replace(ENTITY, (_match, name: string | undefined, decimal: string | undefined, hex: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? '';
    const code = Number.parseInt(decimal ?? hex ?? '', decimal === undefined ? 16 : 10);
    if (code > 0x10ffff) throw invalid('a character reference is out of range');
    return String.fromCodePoint(code);
  });
}

function decodeBytes(bytes: Uint8Array): string {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2));
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new ReposignError('NUSPEC_INVALID', 'The .nuspec is not valid UTF-8 or UTF-16 text.', { cause: error });
  }
}

function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}

/** A tag's attributes by local name, entity-decoded; throws NUSPEC_INVALID when they are not well-formed. */
function parseAttributes(source: string): Map<string, string> {
  if (!ATTRIBUTES.test(source)) throw invalid('an element has malformed attributes');
  const attributes = new Map<string, string>();
  for (const [, name = '', double, single] of source.matchAll(ATTRIBUTE)) {
    if (attributes.has(localName(name))) throw invalid(`the attribute '${name}' is repeated`);
    attributes.set(localName(name), decodeText(double ?? single ?? ''));
  }
  return attributes;
}

/** The element stack of the scan and the metadata collected so far. */
interface ScanState {
  /** Qualified names of the open elements; `path` holds their local names joined by `/`. */
  readonly stack: string[];
  path: string;
  readonly values: Map<string, string>;
  readonly ungrouped: NuspecDependency[];
  readonly groups: { readonly targetFramework: string; readonly dependencies: NuspecDependency[] }[];
  readonly packageTypes: string[];
  sawRoot: boolean;
}

function dependencyOf(attributes: Map<string, string>): NuspecDependency {
  return { id: attributes.get('id')?.trim() ?? '', range: attributes.get('version')?.trim() ?? '' };
}

/** Collects what an element at `path` contributes through its attributes. */
function collectAttributes(state: ScanState, path: string, attributes: Map<string, string>): void {
  switch (path) {
    case 'package/metadata/dependencies/dependency':
      state.ungrouped.push(dependencyOf(attributes));
      break;
    case 'package/metadata/dependencies/group':
      state.groups.push({ targetFramework: attributes.get('targetFramework')?.trim() ?? '', dependencies: [] });
      break;
    case 'package/metadata/dependencies/group/dependency':
      state.groups[state.groups.length - 1]?.dependencies.push(dependencyOf(attributes));
      break;
    case 'package/metadata/packageTypes/packageType':
      state.packageTypes.push(attributes.get('name')?.trim() ?? '');
      break;
  }
}

/** Opens or closes an element. */
function scanTag(state: ScanState, tagName: string, closing: boolean, attributeSource: string, selfClosing: boolean): void {
  if (closing) {
    if (state.stack.pop() !== tagName || attributeSource.trim() !== '') throw invalid(`unexpected </${tagName}>`);
    state.path = state.path.slice(0, Math.max(0, state.path.lastIndexOf('/')));
    return;
  }
  if (state.stack.length === 0 && state.sawRoot) throw invalid('more than one root element');
  state.sawRoot = true;
  const path = state.stack.length === 0 ? localName(tagName) : `${state.path}/${localName(tagName)}`;
  collectAttributes(state, path, parseAttributes(attributeSource));
  if (selfClosing) return;
  state.stack.push(tagName);
  state.path = path;
}

/** Keeps text inside `package/metadata/<field>`; refuses text outside the root. */
function scanText(state: ScanState, text: string | undefined, cdata: string | undefined): void {
  const value = cdata ?? decodeText(text ?? '');
  const field = state.stack.length === 3 && state.path.startsWith('package/metadata/') ? state.path.slice('package/metadata/'.length) : undefined;
  if (field !== undefined && WANTED.has(field)) {
    state.values.set(field, (state.values.get(field) ?? '') + value);
  } else if (text !== undefined && state.stack.length === 0 && text.trim() !== '') {
    throw invalid('text outside the root element');
  }
}

function scan(xml: string): ScanState {
  const state: ScanState = { stack: [], path: '', values: new Map(), ungrouped: [], groups: [], packageTypes: [], sawRoot: false };
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < xml.length) {
    const at = TOKEN.lastIndex;
    const token = TOKEN.exec(xml);
    if (token === null) throw invalid(`unexpected markup at offset ${at}`);
    const [, cdata, declaration, closing, tagName, attributes = '', selfClosing, text] = token;
    if (declaration !== undefined) throw invalid('DOCTYPE and other declarations are not allowed');
    if (tagName !== undefined) scanTag(state, tagName, closing === '/', attributes, selfClosing === '/');
    else if (text !== undefined || cdata !== undefined) scanText(state, text, cdata);
  }
  if (state.stack.length > 0) throw invalid(`<${state.stack[state.stack.length - 1] ?? ''}> is not closed`);
  return state;
}

/**
 * Parses manifest XML into what it says. Throws NUSPEC_INVALID for XML that is not well-formed, a
 * DOCTYPE (so no entity expansion or external entity is ever read), or a missing
 * `package/metadata/id` or `package/metadata/version`.
 */
export function parseNuspec(xml: string): NuspecInfo {
  const state = scan(xml);
  const field = (name: TextField): string => state.values.get(name)?.trim() ?? '';
  const id = field('id');
  const version = field('version');
  if (!state.sawRoot || !id || !version) throw invalid('package/metadata/id and package/metadata/version are required');
  const withIds = (dependencies: readonly NuspecDependency[]): NuspecDependency[] => dependencies.filter((dependency) => dependency.id !== '');
  const groups = state.groups.map((group) => ({ targetFramework: group.targetFramework, dependencies: withIds(group.dependencies) }));
  const ungrouped = withIds(state.ungrouped);
  return {
    id,
    version,
    authors: field('authors'),
    title: field('title'),
    description: field('description'),
    summary: field('summary'),
    tags: field('tags').split(/[\s,;]+/).filter((tag) => tag !== ''),
    projectUrl: field('projectUrl'),
    iconUrl: field('iconUrl'),
    licenseUrl: field('licenseUrl'),
    requireLicenseAcceptance: field('requireLicenseAcceptance').toLowerCase() === 'true',
    dependencyGroups: ungrouped.length > 0 ? [{ targetFramework: '', dependencies: ungrouped }, ...groups] : groups,
    packageTypes: state.packageTypes.filter((name) => name !== ''),
    xml,
  };
}

/**
 * Reads the package's one root `*.nuspec` (at most 1 MiB after inflation) and parses it (see
 * {@link parseNuspec}). Throws NUSPEC_MISSING when there is none, NUSPEC_INVALID for several or
 * unreadable XML (a DOCTYPE is refused), and ARCHIVE_ENTRY_TOO_LARGE or other archive errors from
 * reading the entry. Parsed once per open archive.
 */
export const readNuspec: (archive: PackageArchive) => Promise<NuspecInfo> = oncePerArchive(async (archive) => {
  const manifests = archive.entries.filter((entry) => !entry.name.includes('/') && entry.name.toLowerCase().endsWith('.nuspec'));
  const manifest = manifests[0];
  if (manifest === undefined) throw new ReposignError('NUSPEC_MISSING', 'The package has no .nuspec at its root.');
  if (manifests.length > 1) throw new ReposignError('NUSPEC_INVALID', 'The package has more than one .nuspec at its root.');
  return parseNuspec(decodeBytes(await archive.readEntry(manifest.name, MAX_NUSPEC_SIZE)));
});
