// SPDX-License-Identifier: MIT
// The certificate-shape corpus: a generator of signing-certificate chains that vary one property
// at a time (basic constraints, key usage, EKU, key type and size, signature hash, validity, chain
// shape), made with the `openssl` CLI so that the NuGet client can judge each one.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { runOpenssl } from './pki.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The key of one certificate. */
export type ShapeKey = 'rsa1024' | 'rsa2048' | 'rsa3072' | 'rsa4096' | 'ec' | 'rsa-pss';

/** When a certificate is valid, relative to now. */
export type ShapeValidity = 'valid' | 'expired' | 'not-yet-valid' | 'short';

/** One certificate of a shape; `undefined` extension values leave the extension out. */
export interface CertificateProfile {
  /** OpenSSL basicConstraints value, e.g. `critical,CA:TRUE,pathlen:0`. */
  readonly basicConstraints?: string | undefined;
  /** OpenSSL keyUsage value, e.g. `critical,digitalSignature`. */
  readonly keyUsage?: string | undefined;
  /** OpenSSL extendedKeyUsage value, e.g. `codeSigning` or an OID. */
  readonly extendedKeyUsage?: string | undefined;
  readonly key: ShapeKey;
  /** The hash its issuer signs it with. */
  readonly digest: 'sha1' | 'sha256' | 'sha512';
  readonly validity: ShapeValidity;
}

/** A chain to sign with: `chain[0]` is the signing certificate, the last one the root. */
export interface CertificateShape {
  /** Stable kebab-case name: the row key of the documented table. */
  readonly name: string;
  /** What makes this shape differ from the well-formed one. */
  readonly description: string;
  readonly chain: readonly CertificateProfile[];
}

/** A shape made real: PEM files of the chain (leaf first) and of the leaf's key. */
export interface MaterializedShape {
  readonly shape: CertificateShape;
  readonly chainPemPath: string;
  readonly keyPath: string;
  readonly certificatesDer: readonly Uint8Array[];
  /** Uppercase hex SHA-256 of the leaf. */
  readonly fingerprint: string;
}

const LEAF: CertificateProfile = {
  basicConstraints: 'critical,CA:FALSE',
  keyUsage: 'critical,digitalSignature',
  extendedKeyUsage: 'codeSigning',
  key: 'rsa2048',
  digest: 'sha256',
  validity: 'valid',
};
const SELF_SIGNED: CertificateProfile = { ...LEAF, basicConstraints: undefined };
const CA: CertificateProfile = {
  basicConstraints: 'critical,CA:TRUE',
  keyUsage: 'critical,keyCertSign,cRLSign',
  extendedKeyUsage: undefined,
  key: 'rsa2048',
  digest: 'sha256',
  validity: 'valid',
};
const LIFETIME_SIGNING = '1.3.6.1.4.1.311.10.3.13';

type Change = Partial<CertificateProfile>;

function selfSigned(name: string, description: string, change: Change): CertificateShape {
  return { name: `self-signed-${name}`, description, chain: [{ ...SELF_SIGNED, ...change }] };
}

function rootLeaf(name: string, description: string, root: Change, leaf: Change = {}): CertificateShape {
  return { name: `root-leaf-${name}`, description, chain: [{ ...LEAF, ...leaf }, { ...CA, ...root }] };
}

function threeLevels(name: string, description: string, intermediate: Change, root: Change = {}, leaf: Change = {}): CertificateShape {
  return { name: `root-intermediate-leaf-${name}`, description, chain: [{ ...LEAF, ...leaf }, { ...CA, ...intermediate }, { ...CA, ...root }] };
}

/**
 * The corpus: every shape the issue lists, each one well-formed chain with one change. Names are
 * stable; the documented verdict table is keyed by them.
 */
export function certificateShapes(): CertificateShape[] {
  return [
    selfSigned('well-formed', 'no basicConstraints, digitalSignature, codeSigning, RSA 2048, SHA-256', {}),
    selfSigned('ca-false', 'basicConstraints CA:FALSE (not critical)', { basicConstraints: 'CA:FALSE' }),
    selfSigned('ca-false-critical', 'basicConstraints critical CA:FALSE', { basicConstraints: 'critical,CA:FALSE' }),
    selfSigned('ca-true-no-keycertsign', 'critical CA:TRUE, key usage without keyCertSign (`openssl req -x509` default)', { basicConstraints: 'critical,CA:TRUE' }),
    selfSigned('ca-true-noncritical-no-keycertsign', 'CA:TRUE (not critical), key usage without keyCertSign', { basicConstraints: 'CA:TRUE' }),
    selfSigned('ca-true-keycertsign', 'critical CA:TRUE, digitalSignature and keyCertSign', { basicConstraints: 'critical,CA:TRUE', keyUsage: 'critical,digitalSignature,keyCertSign' }),
    selfSigned('ca-true-no-key-usage', 'critical CA:TRUE, no key usage extension', { basicConstraints: 'critical,CA:TRUE', keyUsage: undefined }),
    selfSigned('no-key-usage', 'no key usage extension', { keyUsage: undefined }),
    selfSigned('key-usage-noncritical', 'digitalSignature (not critical)', { keyUsage: 'digitalSignature' }),
    selfSigned('key-usage-key-encipherment', 'key usage keyEncipherment only (no digitalSignature)', { keyUsage: 'critical,keyEncipherment' }),
    selfSigned('key-usage-keycertsign-only', 'CA:FALSE with key usage keyCertSign only', { basicConstraints: 'critical,CA:FALSE', keyUsage: 'critical,keyCertSign' }),
    selfSigned('no-eku', 'no EKU extension', { extendedKeyUsage: undefined }),
    selfSigned('eku-server-auth', 'EKU serverAuth only', { extendedKeyUsage: 'serverAuth' }),
    selfSigned('eku-any', 'EKU anyExtendedKeyUsage only', { extendedKeyUsage: 'anyExtendedKeyUsage' }),
    selfSigned('eku-code-signing-and-server-auth', 'EKU codeSigning and serverAuth', { extendedKeyUsage: 'codeSigning,serverAuth' }),
    selfSigned('eku-lifetime-signing', 'EKU codeSigning and Lifetime Signing', { extendedKeyUsage: `codeSigning,${LIFETIME_SIGNING}` }),
    selfSigned('rsa-1024', 'RSA 1024-bit key', { key: 'rsa1024' }),
    selfSigned('rsa-3072', 'RSA 3072-bit key', { key: 'rsa3072' }),
    selfSigned('rsa-4096', 'RSA 4096-bit key', { key: 'rsa4096' }),
    selfSigned('ec-p256', 'EC P-256 key (ecdsa-with-SHA256)', { key: 'ec' }),
    selfSigned('rsa-pss', 'RSA-PSS key (RSASSA-PSS certificate signature)', { key: 'rsa-pss' }),
    selfSigned('sha1', 'signed with sha1WithRSAEncryption', { digest: 'sha1' }),
    selfSigned('sha512', 'signed with sha512WithRSAEncryption', { digest: 'sha512' }),
    selfSigned('not-yet-valid', 'notBefore tomorrow', { validity: 'not-yet-valid' }),
    selfSigned('expired', 'notAfter yesterday', { validity: 'expired' }),
    rootLeaf('well-formed', 'root CA:TRUE keyCertSign; leaf CA:FALSE digitalSignature codeSigning', {}),
    rootLeaf('root-no-keycertsign', 'root key usage without keyCertSign', { keyUsage: 'critical,digitalSignature,cRLSign' }),
    rootLeaf('root-no-basic-constraints', 'root without basicConstraints (keyCertSign set)', { basicConstraints: undefined }),
    rootLeaf('root-ca-false', 'root CA:FALSE (keyCertSign set)', { basicConstraints: 'critical,CA:FALSE' }),
    rootLeaf('root-no-key-usage', 'root CA:TRUE without key usage', { keyUsage: undefined }),
    rootLeaf('root-pathlen-0', 'root pathLen 0 directly above the leaf', { basicConstraints: 'critical,CA:TRUE,pathlen:0' }),
    rootLeaf('root-eku-server-auth', 'root EKU serverAuth (restricts the leaf)', { extendedKeyUsage: 'serverAuth' }),
    rootLeaf('root-eku-code-signing', 'root EKU codeSigning', { extendedKeyUsage: 'codeSigning' }),
    rootLeaf('root-eku-code-signing-leaf-no-eku', 'root EKU codeSigning, leaf without EKU', { extendedKeyUsage: 'codeSigning' }, { extendedKeyUsage: undefined }),
    rootLeaf('root-self-signature-sha1', 'root signs itself with SHA-1', { digest: 'sha1' }),
    rootLeaf('leaf-sha1', 'leaf signed by the root with SHA-1', {}, { digest: 'sha1' }),
    rootLeaf('root-rsa-1024', 'root RSA 1024-bit key', { key: 'rsa1024' }),
    rootLeaf('root-ec', 'root EC key (leaf signed with ecdsa-with-SHA256)', { key: 'ec' }),
    rootLeaf('root-rsa-pss', 'root RSA-PSS key (leaf signed with RSASSA-PSS)', { key: 'rsa-pss' }),
    rootLeaf('root-expired', 'root expired, leaf valid', { validity: 'expired' }),
    rootLeaf('root-not-yet-valid', 'root not yet valid, leaf valid', { validity: 'not-yet-valid' }),
    rootLeaf('leaf-outlives-root', 'leaf notAfter after the root notAfter', { validity: 'short' }),
    rootLeaf('leaf-expired', 'leaf expired', {}, { validity: 'expired' }),
    rootLeaf('leaf-ca-true-no-keycertsign', 'leaf critical CA:TRUE without keyCertSign', {}, { basicConstraints: 'critical,CA:TRUE' }),
    rootLeaf('leaf-no-basic-constraints', 'leaf without basicConstraints', {}, { basicConstraints: undefined }),
    threeLevels('well-formed', 'root and intermediate CA:TRUE keyCertSign', {}),
    threeLevels('intermediate-no-keycertsign', 'intermediate key usage without keyCertSign', { keyUsage: 'critical,digitalSignature,cRLSign' }),
    threeLevels('intermediate-ca-false', 'intermediate CA:FALSE', { basicConstraints: 'critical,CA:FALSE' }),
    threeLevels('intermediate-no-basic-constraints', 'intermediate without basicConstraints', { basicConstraints: undefined }),
    threeLevels('intermediate-no-key-usage', 'intermediate CA:TRUE without key usage', { keyUsage: undefined }),
    threeLevels('root-pathlen-0', 'root pathLen 0 above the intermediate CA', {}, { basicConstraints: 'critical,CA:TRUE,pathlen:0' }),
    threeLevels('intermediate-pathlen-0', 'intermediate pathLen 0 above the leaf', { basicConstraints: 'critical,CA:TRUE,pathlen:0' }),
    threeLevels('intermediate-eku-server-auth', 'intermediate EKU serverAuth (restricts the leaf)', { extendedKeyUsage: 'serverAuth' }),
    threeLevels('intermediate-eku-server-auth-leaf-no-eku', 'intermediate EKU serverAuth, leaf without EKU', { extendedKeyUsage: 'serverAuth' }, {}, { extendedKeyUsage: undefined }),
    threeLevels('intermediate-eku-code-signing', 'intermediate EKU codeSigning', { extendedKeyUsage: 'codeSigning' }),
    threeLevels('root-eku-time-stamping', 'root EKU timeStamping above an intermediate with codeSigning', { extendedKeyUsage: 'codeSigning' }, { extendedKeyUsage: 'timeStamping' }),
    threeLevels('intermediate-sha1', 'intermediate signed by the root with SHA-1', { digest: 'sha1' }),
    threeLevels('intermediate-rsa-1024', 'intermediate RSA 1024-bit key', { key: 'rsa1024' }),
    threeLevels('intermediate-expired', 'intermediate expired, leaf valid', { validity: 'expired' }),
    threeLevels('intermediate-not-yet-valid', 'intermediate not yet valid, leaf valid', { validity: 'not-yet-valid' }),
  ];
}

function dates(validity: ShapeValidity, position: number): { start: Date; end: Date } {
  const now = Date.now();
  switch (validity) {
    case 'expired':
      return { start: new Date(now - 30 * DAY_MS), end: new Date(now - DAY_MS) };
    case 'not-yet-valid':
      return { start: new Date(now + DAY_MS), end: new Date(now + 365 * DAY_MS) };
    case 'short':
      return { start: new Date(now - 30 * DAY_MS), end: new Date(now + 30 * DAY_MS) };
    case 'valid':
      // Issuers a little wider than what they issue, so only 'short' breaks the nesting.
      return { start: new Date(now - (1 + position * 30) * DAY_MS), end: new Date(now + (365 + position * 365) * DAY_MS) };
  }
}

function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** Private keys by type and chain position, generated once per corpus directory. */
class KeyPool {
  private readonly made = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  /** The key file for `key` at `position` (0 = leaf): each position has its own key, so no two certificates of a chain share one. */
  path(key: ShapeKey, position: number): Promise<string> {
    const name = `${key}-${position}`;
    let made = this.made.get(name);
    if (made === undefined) {
      made = this.generate(join(this.dir, `${name}.key`), key);
      this.made.set(name, made);
    }
    return made;
  }

  private async generate(path: string, key: ShapeKey): Promise<string> {
    const args: Record<ShapeKey, string[]> = {
      rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
      rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
      rsa3072: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
      rsa4096: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
      ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      'rsa-pss': ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
    };
    await runOpenssl(['genpkey', ...args[key], '-out', path]);
    return path;
  }
}

function extensionLines(profile: CertificateProfile, selfIssued: boolean): string[] {
  const lines = ['[ext]'];
  if (profile.basicConstraints !== undefined) lines.push(`basicConstraints = ${profile.basicConstraints}`);
  if (profile.keyUsage !== undefined) lines.push(`keyUsage = ${profile.keyUsage}`);
  if (profile.extendedKeyUsage !== undefined) lines.push(`extendedKeyUsage = ${profile.extendedKeyUsage}`);
  lines.push('subjectKeyIdentifier = hash', selfIssued ? 'authorityKeyIdentifier = none' : 'authorityKeyIdentifier = keyid:always', '');
  return lines;
}

async function writeCaConfig(dir: string): Promise<string> {
  const path = join(dir, 'ca.cnf');
  await mkdir(join(dir, 'issued'), { recursive: true });
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(
    path,
    [
      '[ca]', 'default_ca = ca_default', '[ca_default]', `database = ${join(dir, 'index.txt')}`, `new_certs_dir = ${join(dir, 'issued')}`,
      'rand_serial = yes', 'default_md = sha256', 'policy = policy_any', 'unique_subject = no', 'email_in_dn = no', 'preserve = yes',
      'copy_extensions = none', '[policy_any]', 'organizationalUnitName = optional', 'commonName = optional', '',
    ].join('\n'),
  );
  return path;
}

/** Makes one shape's certificates in `dir` (root first, so each issuer exists before what it signs). */
async function materialize(shape: CertificateShape, dir: string, keys: KeyPool): Promise<MaterializedShape> {
  await mkdir(dir, { recursive: true });
  const config = await writeCaConfig(dir);
  const pems: string[] = [];
  let issuer: { certPath: string; keyPath: string } | undefined;
  for (let position = shape.chain.length - 1; position >= 0; position--) {
    const profile = shape.chain[position];
    const keyPath = await keys.path(profile.key, position);
    const base = join(dir, `cert-${position}`);
    await writeFile(`${base}.ext`, extensionLines(profile, issuer === undefined).join('\n'));
    await runOpenssl(['req', '-new', '-key', keyPath, '-subj', `/OU=${shape.name.slice(0, 60)}/CN=reposign corpus ${position}`, '-out', `${base}.csr`]);
    const { start, end } = dates(profile.validity, position);
    const signer = issuer === undefined ? ['-selfsign', '-keyfile', keyPath] : ['-cert', issuer.certPath, '-keyfile', issuer.keyPath];
    await runOpenssl([
      'ca', '-batch', '-config', config, ...signer, '-in', `${base}.csr`, '-out', `${base}.crt`, '-extfile', `${base}.ext`, '-extensions', 'ext',
      '-startdate', asn1Time(start), '-enddate', asn1Time(end), '-md', profile.digest, '-notext',
    ]);
    const text = await readFile(`${base}.crt`, 'utf8');
    const pem = `${text.slice(text.indexOf('-----BEGIN CERTIFICATE-----')).trim()}\n`;
    pems.unshift(pem);
    issuer = { certPath: `${base}.crt`, keyPath };
  }
  const chainPemPath = join(dir, 'chain.pem');
  await writeFile(chainPemPath, pems.join(''));
  const certificates = pems.map((pem) => new X509Certificate(pem));
  return {
    shape,
    chainPemPath,
    keyPath: await keys.path(shape.chain[0].key, 0),
    certificatesDer: certificates.map((certificate) => new Uint8Array(certificate.raw)),
    fingerprint: certificates[0].fingerprint256.replaceAll(':', ''),
  };
}

/** Makes every shape under `dir`, two at a time (openssl is quick; RSA 4096 key generation is not). */
export async function materializeShapes(dir: string, shapes: readonly CertificateShape[]): Promise<MaterializedShape[]> {
  const keys = new KeyPool(dir);
  const made: MaterializedShape[] = [];
  for (let i = 0; i < shapes.length; i += 2) {
    made.push(...(await Promise.all(shapes.slice(i, i + 2).map((shape) => materialize(shape, join(dir, shape.name), keys)))));
  }
  return made;
}
