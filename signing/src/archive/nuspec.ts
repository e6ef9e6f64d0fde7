// SPDX-License-Identifier: MIT
// Reads id and version from the package's root .nuspec with a small, non-validating XML scan: no DTD,
// no external entities, only the five predefined entities and character references.

import { ReposignError } from '../errors.js';
import type { PackageArchive } from './package-archive.js';

/** What the signer needs from the manifest. */
export interface NuspecInfo {
  readonly id: string;
  readonly version: string;
  readonly authors?: string;
  /** The whole manifest text. */
  readonly xml: string;
}

const MAX_NUSPEC_SIZE = 1024 * 1024;
// Comments, CDATA, processing instructions, declarations, tags (attribute values may hold '>'), text.
const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!([^>]*)>|<(\/?)([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|([^<]+)/y;
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const WANTED = new Set(['id', 'version', 'authors']);

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

/** The element stack of the scan and the metadata text collected so far. */
interface ScanState {
  readonly stack: string[];
  readonly values: Map<string, string>;
  sawRoot: boolean;
}

/** Opens or closes an element. */
function scanTag(state: ScanState, tagName: string, closing: boolean, selfClosing: boolean): void {
  if (closing) {
    if (state.stack.pop() !== tagName) throw invalid(`unexpected </${tagName}>`);
    return;
  }
  if (state.stack.length === 0 && state.sawRoot) throw invalid('more than one root element');
  state.sawRoot = true;
  if (!selfClosing) state.stack.push(tagName);
}

/** Keeps text inside `package/metadata/{id,version,authors}`; refuses text outside the root. */
function scanText(state: ScanState, text: string | undefined, cdata: string | undefined): void {
  const { stack } = state;
  const path = stack.map(localName).join('/');
  const field = stack.length === 3 && path.startsWith('package/metadata/') ? localName(stack[2] ?? '') : undefined;
  if (field !== undefined && WANTED.has(field)) {
    state.values.set(field, (state.values.get(field) ?? '') + (cdata ?? decodeText(text ?? '')));
  } else if (text !== undefined && stack.length === 0 && text.trim() !== '') {
    throw invalid('text outside the root element');
  }
}

/** Extracts `package/metadata/{id,version,authors}` text from manifest XML; throws NUSPEC_INVALID. */
export function parseNuspec(xml: string): NuspecInfo {
  const state: ScanState = { stack: [], values: new Map(), sawRoot: false };
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < xml.length) {
    const at = TOKEN.lastIndex;
    const token = TOKEN.exec(xml);
    if (token === null) throw invalid(`unexpected markup at offset ${at}`);
    const [, cdata, declaration, closing, tagName, , selfClosing, text] = token;
    if (declaration !== undefined) throw invalid('DOCTYPE and other declarations are not allowed');
    if (tagName !== undefined) scanTag(state, tagName, closing === '/', selfClosing === '/');
    else if (text !== undefined || cdata !== undefined) scanText(state, text, cdata);
  }
  if (state.stack.length > 0) throw invalid(`<${state.stack[state.stack.length - 1] ?? ''}> is not closed`);
  const id = state.values.get('id')?.trim();
  const version = state.values.get('version')?.trim();
  if (!state.sawRoot || !id || !version) throw invalid('package/metadata/id and package/metadata/version are required');
  const authors = state.values.get('authors')?.trim();
  return authors === undefined ? { id, version, xml } : { id, version, xml, authors };
}

/**
 * Reads the package's one root `*.nuspec` (at most 1 MiB after inflation) and returns its id, version
 * and authors as written, plus the XML text. Throws NUSPEC_MISSING when there is none, NUSPEC_INVALID
 * for several or unreadable XML (a DOCTYPE is refused), and ARCHIVE_ENTRY_TOO_LARGE or other archive
 * errors from reading the entry.
 */
export async function readNuspec(archive: PackageArchive): Promise<NuspecInfo> {
  const manifests = archive.entries.filter((entry) => !entry.name.includes('/') && entry.name.toLowerCase().endsWith('.nuspec'));
  const manifest = manifests[0];
  if (manifest === undefined) throw new ReposignError('NUSPEC_MISSING', 'The package has no .nuspec at its root.');
  if (manifests.length > 1) throw new ReposignError('NUSPEC_INVALID', 'The package has more than one .nuspec at its root.');
  return parseNuspec(decodeBytes(await archive.readEntry(manifest.name, MAX_NUSPEC_SIZE)));
}
