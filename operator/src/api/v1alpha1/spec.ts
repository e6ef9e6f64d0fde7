// SPDX-License-Identifier: MIT
// The schema of `spec`: cert-manager's certificate request and time model, the outputs, and one
// provider block per signing mode (derived from the engine's registry, see provider-blocks.ts).

import { Type, type Static } from 'typebox';

import { DEFAULT_DURATION } from './defaults.js';
import { durationString, objectName, stringEnum, type CelRule, type OpenApiSchema } from './openapi.js';
import type { ProviderBlock } from './provider-blocks.js';

/** RSA key sizes NuGet accepts. */
export const KEY_SIZES = [2048, 3072, 4096] as const;

/** Certificate signature algorithms NuGet accepts. */
export const SIGNATURE_ALGORITHMS = ['SHA256WithRSA', 'SHA384WithRSA', 'SHA512WithRSA'] as const;

const Names = (description: string) => Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { description, maxItems: 8 }));

const SubjectSchema = Type.Object(
  {
    commonName: Type.Optional(Type.String({ description: 'CN of the certificate subject.', minLength: 1, maxLength: 64 })),
    organizations: Names('O values of the subject.'),
    organizationalUnits: Names('OU values of the subject.'),
    countries: Names('C values (two-letter ISO codes) of the subject.'),
    localities: Names('L values of the subject.'),
    provinces: Names('ST values of the subject.'),
  },
  { description: "The certificate's subject (cert-manager's X509Subject plus commonName)." },
);

const PrivateKeySchema = Type.Object(
  {
    algorithm: Type.Optional(stringEnum(['RSA'], { description: 'Key algorithm. NuGet accepts RSA only.' })),
    // No enum here: a schema error stops CEL, and the rule below says why 1024 bits cannot work.
    size: Type.Optional(Type.Integer({ description: 'RSA key size in bits: 2048, 3072 or 4096 (default 4096).' })),
    rotationPolicy: Type.Optional(
      stringEnum(['Always', 'Never'], { description: 'Always: every issuance makes a new key. Never: re-issue on the same key.', default: 'Always' }),
    ),
  },
  {
    description: 'The private key (cert-manager privateKey).',
    'x-kubernetes-validations': [
      {
        rule: '!has(self.size) || self.size in [2048, 3072, 4096]',
        message: 'privateKey.size must be 2048, 3072 or 4096: NuGet rejects RSA keys shorter than 2048 bits',
      },
    ],
  },
);

const certificateRules: readonly CelRule[] = [
  { rule: '!(has(self.renewBefore) && has(self.renewBeforePercentage))', message: 'renewBefore and renewBeforePercentage are mutually exclusive' },
  { rule: "!has(self.duration) || duration(self.duration) >= duration('1h')", message: 'duration must be at least 1h', fieldPath: '.duration' },
  { rule: "!has(self.renewBefore) || duration(self.renewBefore) >= duration('5m')", message: 'renewBefore must be at least 5m', fieldPath: '.renewBefore' },
  {
    rule: `!has(self.renewBefore) || duration(self.renewBefore) < duration(has(self.duration) ? self.duration : '${DEFAULT_DURATION}')`,
    message: `renewBefore must be shorter than duration (default ${DEFAULT_DURATION})`,
    fieldPath: '.renewBefore',
  },
];

const CertificateSchema = Type.Object(
  {
    subject: Type.Optional(SubjectSchema),
    duration: Type.Optional(durationString(`Requested lifetime, e.g. 8760h (default ${DEFAULT_DURATION}, at least 1h). Stored as written.`)),
    renewBefore: Type.Optional(durationString('Renew this long before notAfter. Default: when a third of the actual lifetime remains.')),
    renewBeforePercentage: Type.Optional(Type.Integer({ description: 'Renew when this percentage of the actual lifetime remains (1-99).', minimum: 1, maximum: 99 })),
    privateKey: Type.Optional(PrivateKeySchema),
    signatureAlgorithm: Type.Optional(stringEnum(SIGNATURE_ALGORITHMS, { description: "The certificate's own signature algorithm (default SHA256WithRSA)." })),
  },
  {
    description: "The certificate the operator issues or expects (cert-manager's time model). For StoredCertificate, renewBefore only sets when Ready turns False with Expiring.",
    'x-kubernetes-validations': certificateRules,
  },
);

/** The mode-independent part of `spec`; the provider blocks are added by {@link specSchema}. */
export const SpecCoreSchema = Type.Object({
  mode: Type.String({ description: 'The signing mode; exactly the provider block named after it must be set.', minLength: 1 }),
  suspend: Type.Optional(Type.Boolean({ description: 'Stop acting (no issuance, no writes) while still reporting status.' })),
  certificate: Type.Optional(CertificateSchema),
  secretName: Type.Optional(objectName('The operator-owned Secret holding the key and certificate (SelfSigned; required there). Immutable once set.')),
  revisionHistoryLimit: Type.Optional(
    Type.Integer({ description: 'Retired private-key Secrets kept. Published certificate records are never pruned.', minimum: 1, default: 1 }),
  ),
  publish: Type.Optional(
    Type.Object(
      { configMapName: Type.Optional(objectName('The ConfigMap of published certificate records (default <name>-certificates).')) },
      { description: 'Where the append-only certificate records go.' },
    ),
  ),
  signerService: Type.Optional(
    Type.Object(
      {
        configSecretName: Type.Optional(objectName('The signing configuration Secret the signer-service mounts (default <name>-signer-config).')),
        mountPath: Type.Optional(
          Type.String({
            description: 'Where the signer-service mounts that Secret (default /etc/reposign/signing); the configuration file names its files there.',
            pattern: '^/[^\\0]*$',
            maxLength: 1024,
          }),
        ),
        management: Type.Optional(
          stringEnum(['Reference', 'Patch'], {
            description:
              'Reference (default): the operator never touches the Deployment, which mounts the Secret and reloads it. Patch: the operator also sets one pod-template annotation (reposign.dev/signing-config-hash) on deploymentName with its own field manager, so a rollout follows each change.',
          }),
        ),
        deploymentName: Type.Optional(objectName('The signer-service Deployment to annotate in Patch management.')),
      },
      {
        description: 'How the signer-service receives its signing configuration.',
        'x-kubernetes-validations': [{ rule: "!has(self.management) || self.management != 'Patch' || has(self.deploymentName)", message: 'deploymentName is required with management Patch' }],
      },
    ),
  ),
});

/** The spec fields every mode shares, as TypeScript sees them; provider blocks are opaque here. */
export type RepositorySignerSpec = Static<typeof SpecCoreSchema> & Readonly<Record<string, unknown>>;

/** The requested certificate (`spec.certificate`). */
export type CertificateSpec = Static<typeof CertificateSchema>;

function specRules(blocks: readonly ProviderBlock[]): CelRule[] {
  const names = blocks.map((b) => b.blockName);
  return [
    {
      rule: `[${names.map((n) => `has(self.${n})`).join(', ')}].exists_one(b, b)`,
      message: `exactly one provider block (${names.join(', ')}) must be set`,
    },
    {
      rule: blocks.map((b) => `(self.mode == '${b.mode}' && has(self.${b.blockName}))`).join(' || '),
      message: `the provider block must match spec.mode (${blocks.map((b) => `${b.mode}: ${b.blockName}`).join(', ')})`,
    },
    { rule: "self.mode != 'SelfSigned' || has(self.secretName)", message: 'secretName is required for mode SelfSigned', fieldPath: '.secretName' },
    {
      rule: '!has(oldSelf.secretName) || (has(self.secretName) && self.secretName == oldSelf.secretName)',
      message: 'secretName is immutable',
      fieldPath: '.secretName',
    },
  ];
}

/** The structural schema of `spec` for the given provider blocks: `mode` enumerates their modes. Throws when there are none. */
export function specSchema(blocks: readonly ProviderBlock[]): OpenApiSchema {
  if (blocks.length === 0) throw new Error('A RepositorySigner needs at least one provider block.');
  const core = structuredClone(SpecCoreSchema) as unknown as OpenApiSchema;
  const mode = { ...core.properties?.mode, type: 'string', enum: blocks.map((b) => b.mode) } as const;
  return {
    ...core,
    description: 'Desired state of a RepositorySigner. The operator never writes it.',
    properties: { ...core.properties, mode, ...Object.fromEntries(blocks.map((b) => [b.blockName, b.schema])) },
    'x-kubernetes-validations': specRules(blocks),
  };
}
