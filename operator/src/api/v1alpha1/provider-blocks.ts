// SPDX-License-Identifier: MIT
// Derives the CRD's provider blocks from the signing engine's provider registry, so the
// RepositorySigner and the signer-service's `Signing` section share one model (camelCase here).

import type { TObject } from 'typebox';

import type { OpenApiSchema } from './openapi.js';

/** What the engine's registry declares per provider: the mode name and the TypeBox schema of its `Signing:<Mode>` section. */
export interface ProviderDescriptor {
  readonly kind: string;
  readonly configSchema: TObject;
}

/** One provider block of `spec`: `mode` is the engine's kind, `blockName` the spec key, `schema` its structural schema. */
export interface ProviderBlock {
  readonly mode: string;
  readonly blockName: string;
  readonly schema: OpenApiSchema;
}

/**
 * Modes the CRD refuses at admission, with the reason. AWS Signer offers only ECDSA and SHA1-RSA
 * platforms, and NuGet accepts only RSA certificates signed with SHA-256 or stronger.
 */
export const MODES_REFUSED_BY_CRD: Readonly<Record<string, string>> = {
  AwsSigner: 'AWS Signer has no RSA with SHA-256+ platform, so it cannot make NuGet repository signatures',
};

/**
 * Fields of a provider section that the RepositorySigner expresses elsewhere or cannot express, by
 * mode, with where the value comes from instead. SelfSigned's section is the certificate request,
 * which `spec.certificate` and `spec.secretName` carry in cert-manager's model.
 */
export const FIELDS_NOT_IN_CRD: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  SelfSigned: {
    SubjectName: 'spec.certificate.subject',
    Organization: 'spec.certificate.subject.organizations',
    OrganizationalUnit: 'spec.certificate.subject.organizationalUnits',
    Country: 'spec.certificate.subject.countries',
    KeySize: 'spec.certificate.privateKey.size',
    ValidityInDays: 'spec.certificate.duration',
    RenewBeforeDays: 'spec.certificate.renewBefore',
    HashAlgorithm: 'spec.certificate.signatureAlgorithm',
    CertificatePath: 'spec.secretName (the operator owns the key Secret)',
  },
  StoredCertificate: {
    Thumbprint: 'certificate stores are host directories; use fileSecretRef',
    StoreName: 'certificate stores are host directories; use fileSecretRef',
    StoreLocation: 'certificate stores are host directories; use fileSecretRef',
    StoreDirectory: 'certificate stores are host directories; use fileSecretRef',
  },
};

/** Path fields that name a file inside the signer-service image (a PKCS#11 module), not secret content. */
const IMAGE_PATH_FIELDS = new Set(['ModulePath']);

/** A field that names another configuration key holding the value: a Secret ref replaces it. */
function isIndirection(field: string): boolean {
  return field.endsWith('ConfigurationKey') || field === 'CertificatePasswordSecret';
}

function isSecretValue(field: string): boolean {
  return /(Password|Secret|SecretAccessKey|Pin|Token)$/.test(field);
}

function isFilePath(field: string): boolean {
  return field.endsWith('Path') && !IMAGE_PATH_FIELDS.has(field);
}

/** `VaultUri` → `vaultUri`, `Pkcs11` → `pkcs11`, `URLBase` → `urlBase`, `ID` → `id`. */
export function camelCase(name: string): string {
  const capitals = /^[A-Z]+/.exec(name)?.[0].length ?? 0;
  // A run of capitals is an acronym whose last capital starts the next word, unless the run is the whole name.
  const lowered = capitals <= 1 || capitals === name.length ? capitals : capitals - 1;
  return name.slice(0, lowered).toLowerCase() + name.slice(lowered);
}

/** `Password` → `passwordSecretRef`, `ClientSecret` → `clientSecretRef`, `KeyFilePath` → `keyFileSecretRef`. */
function secretRefName(field: string): string {
  const base = camelCase(isFilePath(field) ? field.slice(0, -'Path'.length) : field);
  return base.endsWith('Secret') ? `${base}Ref` : `${base}SecretRef`;
}

function secretRef(description: string): OpenApiSchema {
  return {
    type: 'object',
    description,
    required: ['name', 'key'],
    properties: {
      name: { type: 'string', description: "Name of the Secret, in the RepositorySigner's namespace.", minLength: 1, maxLength: 253 },
      key: { type: 'string', description: "Key of the Secret's data.", minLength: 1, maxLength: 253 },
    },
  };
}

type SchemaNode = Readonly<Record<string, unknown>>;

const COPIED_KEYWORDS = ['pattern', 'format', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'] as const;

function enumType(values: readonly unknown[], where: string): 'string' | 'integer' | 'number' | 'boolean' {
  if (values.every((v) => typeof v === 'string')) return 'string';
  if (values.every((v) => Number.isInteger(v))) return 'integer';
  if (values.every((v) => typeof v === 'number')) return 'number';
  if (values.every((v) => typeof v === 'boolean')) return 'boolean';
  throw new Error(`${where}: an enum mixing types has no structural schema.`);
}

function enumValues(node: SchemaNode): readonly unknown[] | undefined {
  if (Array.isArray(node.enum)) return node.enum as unknown[];
  const alternatives = node.anyOf;
  if (Array.isArray(alternatives) && alternatives.every((a: SchemaNode) => 'const' in a)) return alternatives.map((a: SchemaNode) => a.const);
  return undefined;
}

/** Converts one engine field schema to a structural node: enums get a `type`, defaults and the empty-string "unset" value go. */
function convert(node: SchemaNode, where: string, description: string): OpenApiSchema {
  const values = enumValues(node);
  if (values) {
    const kept = values.filter((v) => v !== '') as (string | number)[];
    return { type: enumType(kept, where), description, enum: kept };
  }
  const copied = Object.fromEntries(COPIED_KEYWORDS.filter((k) => k in node).map((k) => [k, node[k]]));
  switch (node.type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: node.type, description, ...copied };
    case 'array':
      return { type: 'array', description, ...copied, items: convert(node.items as SchemaNode, `${where}[]`, `An item of ${description}`) };
    case 'object':
      return objectBlock(node, where, description);
    default:
      throw new Error(`${where}: this schema has no structural equivalent.`);
  }
}

/**
 * How field `field` of a provider section appears in the CRD: as a plain value, as a Secret key
 * holding its value (`<field>SecretRef`), as a Secret key holding the content of the file it names
 * (`<file>SecretRef`), or not at all. `mode` applies {@link FIELDS_NOT_IN_CRD}; nested objects pass none.
 */
export type CrdField =
  | { readonly kind: 'value' | 'secretValue' | 'secretFile'; readonly name: string }
  | { readonly kind: 'omitted' };

/** The CRD spelling of engine field `field` of mode `mode`; see {@link CrdField}. */
export function crdField(mode: string | undefined, field: string): CrdField {
  const omitted = mode === undefined ? {} : (FIELDS_NOT_IN_CRD[mode] ?? {});
  if (field in omitted || isIndirection(field)) return { kind: 'omitted' };
  if (isSecretValue(field)) return { kind: 'secretValue', name: secretRefName(field) };
  if (isFilePath(field)) return { kind: 'secretFile', name: secretRefName(field) };
  return { kind: 'value', name: camelCase(field) };
}

function objectBlock(node: SchemaNode, where: string, description: string, mode?: string): OpenApiSchema {
  const properties: Record<string, OpenApiSchema> = {};
  for (const [field, child] of Object.entries((node.properties ?? {}) as Record<string, SchemaNode>)) {
    const path = `${where}:${field}`;
    const spelled = crdField(mode, field);
    if (spelled.kind === 'secretValue') properties[spelled.name] = secretRef(`The Secret key holding ${path}.`);
    else if (spelled.kind === 'secretFile') properties[spelled.name] = secretRef(`The Secret key holding the content of the file ${path} names.`);
    else if (spelled.kind === 'value') properties[spelled.name] = convert(child, path, `${path} of the signer-service configuration.`);
  }
  return Object.keys(properties).length === 0 ? { type: 'object', description } : { type: 'object', description, properties };
}

/**
 * Derives the provider blocks of `spec` from the engine's providers, in registry order. Secret
 * values become `<field>SecretRef`, file paths `<file>SecretRef` (both `{name, key}` Secret key
 * selectors), `*ConfigurationKey` indirections and {@link FIELDS_NOT_IN_CRD} disappear, defaults
 * are dropped (the engine applies them) and {@link MODES_REFUSED_BY_CRD} get no block. Throws on a
 * duplicate mode or a field with no structural equivalent.
 */
export function deriveProviderBlocks(providers: readonly ProviderDescriptor[]): readonly ProviderBlock[] {
  const blocks: ProviderBlock[] = [];
  for (const { kind, configSchema } of providers) {
    if (kind in MODES_REFUSED_BY_CRD) continue;
    if (blocks.some((b) => b.mode === kind)) throw new Error(`Signing provider '${kind}' is listed twice.`);
    const description = `Settings of mode ${kind}: the signer-service's Signing:${kind} section.`;
    blocks.push({ mode: kind, blockName: camelCase(kind), schema: objectBlock(configSchema as unknown as SchemaNode, `Signing:${kind}`, description, kind) });
  }
  return blocks;
}
