// SPDX-License-Identifier: MIT
// Plain functions, not a plugin: a NuGet-style sentence for a request that fails its route schema
// (schemas/package-params.ts), naming the rule rather than the schema's regular expression.

import type { FastifySchemaValidationError } from 'fastify';
import { MAX_PACKAGE_ID_LENGTH } from '../nuget/package-id.js';
import { MAX_VERSION_LENGTH } from '../nuget/version.js';

const ID_RULE = `a package id is 1 to ${MAX_PACKAGE_ID_LENGTH} letters, digits or '_', joined by single '.' or '-'`;
const VERSION_RULE = `a version is a NuGet (SemVer 2.0) version of at most ${MAX_VERSION_LENGTH} characters`;

/** The rule broken, by the name of the parameter that broke it. */
const RULES: Readonly<Record<string, string>> = {
  id: ID_RULE,
  version: VERSION_RULE,
  lower: VERSION_RULE,
  upper: `${VERSION_RULE}, followed by '.json'`,
  leaf: `${VERSION_RULE}, followed by '.json'`,
  file: `a file name is '{id}.{version}.nupkg' or '{id}.nuspec'`,
  q: 'a search query holds at most 500 characters and no control characters',
  semVerLevel: "semVerLevel is a version number such as '2.0.0'",
};

/** The 400 message for the schema errors of one part of a request (`params`, `querystring`, ...). */
export function validationMessage(errors: readonly FastifySchemaValidationError[], part: string): string {
  const first = errors[0];
  const name = first?.instancePath.split('/').filter((segment) => segment !== '').at(-1);
  const rule = name === undefined ? undefined : RULES[name];
  if (name !== undefined && rule !== undefined) return `The ${part === 'params' ? 'path' : 'query'} parameter '${name}' is not valid: ${rule}.`;
  return `The request's ${part} is not valid: ${first?.instancePath ?? ''} ${first?.message ?? 'does not match the schema'}.`.replace(/\s+/g, ' ');
}
