// SPDX-License-Identifier: MIT
// Parses "CN=Contoso Feed, O=Contoso, C=US" into a DER Name for the certificates reposign makes.

import { ReposignError } from '../errors.js';
import { element, oid, sequence, setOf, TAG, utf8String } from '../cms/der.js';
import { OID } from '../cms/oids.js';

const ATTRIBUTE_TYPES: Readonly<Record<string, string>> = {
  CN: OID.commonName,
  C: OID.countryName,
  L: OID.localityName,
  S: OID.stateOrProvinceName,
  ST: OID.stateOrProvinceName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  E: OID.emailAddress,
};

/** Splits on commas that are not escaped with a backslash and not inside double quotes. */
function splitRdns(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (char === '"') {
      quoted = !quoted;
    } else if ((char === ',' || char === ';') && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/**
 * Name ::= SEQUENCE OF RelativeDistinguishedName, one attribute per RDN, in the order written.
 * Country is a PrintableString (RFC 5280); the rest are UTF8String. Throws INVALID_ARGUMENT.
 */
export function encodeDistinguishedName(text: string): Uint8Array {
  const rdns = splitRdns(text).map((part) => {
    const equals = part.indexOf('=');
    const key = part.slice(0, equals).trim().toUpperCase();
    const value = part.slice(equals + 1).trim();
    const type = ATTRIBUTE_TYPES[key];
    if (equals <= 0 || !type || value === '') {
      throw new ReposignError(
        'INVALID_ARGUMENT',
        `Subject '${text}' is not a distinguished name such as 'CN=My Feed, O=My Org, C=US' (bad part '${part}').`,
      );
    }
    if (type === OID.countryName && !/^[A-Za-z]{2}$/.test(value)) {
      throw new ReposignError('INVALID_ARGUMENT', `Country '${value}' must be a two-letter code.`);
    }
    const encoded =
      type === OID.countryName ? element(TAG.PRINTABLE_STRING, Buffer.from(value.toUpperCase(), 'ascii')) : utf8String(value);
    return setOf([sequence(oid(type), encoded)]);
  });
  if (rdns.length === 0) throw new ReposignError('INVALID_ARGUMENT', 'The certificate subject is empty.');
  return sequence(...rdns);
}
