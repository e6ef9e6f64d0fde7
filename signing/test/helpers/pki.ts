// SPDX-License-Identifier: MIT
// A throw-away test PKI made with the `openssl` CLI (OpenSSL 3.0): roots, leaves, self-signed
// certificates and PFX files, so tests can feed real certificates to reposign and to the NuGet client.
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its unencrypted private key, both as PEM strings and as files. */
export interface TestCertificate {
  readonly subject: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly certDer: Uint8Array;
  readonly certPath: string;
  readonly keyPath: string;
  /** SHA-256 of the certificate's DER, uppercase hex without separators (the form NuGet.Config needs). */
  readonly fingerprintSha256: string;
}

/** A certificate authority that {@link issueCertificate} can sign with; `chain` runs from it up to its root. */
export interface TestCa extends TestCertificate {
  readonly dir: string;
  readonly configPath: string;
  readonly chain: readonly TestCertificate[];
}

/** The extended key usage of a new certificate: a known purpose, none at all, or a raw OpenSSL value. */
export type TestEku = 'codeSigning' | 'timeStamping' | 'none' | (string & {});

/** How {@link issueCertificate} and {@link createSelfSigned} shape a leaf certificate. */
export interface LeafOptions {
  /** A common name, or a full OpenSSL DN such as `/CN=x/O=y`. */
  readonly subject: string;
  /** RSA modulus size; 1024 exists only for negative tests. Ignored for EC keys. */
  readonly keyBits?: 1024 | 2048 | 3072 | 4096;
  readonly keyType?: 'rsa' | 'ec';
  readonly eku?: TestEku;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Include a SubjectKeyIdentifier (default true); without it NuGet identifies the signer by issuer+serial. */
  readonly ski?: boolean;
}

/** Options of {@link createRootCa} and {@link issueIntermediateCa}. */
export interface CaOptions {
  readonly name: string;
  readonly keyBits?: 2048 | 3072 | 4096;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** Options of {@link exportPfx}. */
export interface PfxOptions {
  readonly password: string;
  /**
   * `false`: OpenSSL 3 defaults (PBES2/AES-256-CBC, HMAC-SHA256 MAC). `true`: `-legacy`, i.e. a
   * 3DES-shrouded key, RC2-40 certificate bags and a SHA-1 MAC, as old Windows tools write them.
   */
  readonly legacy: boolean;
  /** With `legacy`, encrypt the certificate bags with 3DES instead of RC2-40 (no legacy provider needed). */
  readonly legacyCertBags?: 'rc2-40' | '3des';
  /** Extra certificates (for example the issuing CA) to put in the PFX next to the leaf. */
  readonly includeChain?: readonly TestCertificate[];
  readonly fileName?: string;
}

/** Runs `openssl` with `args` and returns its stdout; a failure throws with openssl's stderr in the message. */
export async function runOpenssl(args: readonly string[], options: { cwd?: string } = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync('openssl', args, { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr.trim()}`, { cause: error });
  }
}

/** Creates a self-signed RSA root CA (sha256WithRSA, CA:TRUE, keyCertSign) in `dir`, valid from 2 years ago for 20 years. */
export async function createRootCa(dir: string, options: CaOptions): Promise<TestCa> {
  const paths = await allocatePaths(dir, options.name);
  await generateKey(paths.keyPath, 'rsa', options.keyBits ?? 2048);
  const configPath = await writeCaConfig(paths.caDir);
  const csrPath = `${paths.base}.csr`;
  await runOpenssl(['req', '-new', '-key', paths.keyPath, '-subj', toDn(options.name), '-out', csrPath]);
  const extPath = await writeExtensions(paths.base, caExtensions(true));
  await runOpenssl([
    'ca', '-batch', '-config', configPath, '-selfsign', '-keyfile', paths.keyPath, '-in', csrPath,
    '-out', paths.certPath, '-extfile', extPath, '-extensions', 'ext', ...validity({ notBefore: options.notBefore, notAfter: options.notAfter, backDays: 2 * 365, forwardDays: 20 * 365 }),
  ]);
  const cert = await loadCertificate(options.name, paths.certPath, paths.keyPath);
  return { ...cert, dir: paths.caDir, configPath, chain: [] };
}

/** Issues a CA certificate under `issuer`, for tests that need a chain longer than root and leaf. */
export async function issueIntermediateCa(issuer: TestCa, options: CaOptions): Promise<TestCa> {
  const paths = await allocatePaths(join(issuer.dir, '..'), options.name);
  await generateKey(paths.keyPath, 'rsa', options.keyBits ?? 2048);
  const configPath = await writeCaConfig(paths.caDir);
  await signRequest(issuer, paths, toDn(options.name), caExtensions(false), { notBefore: options.notBefore, notAfter: options.notAfter, backDays: 365, forwardDays: 10 * 365 });
  const cert = await loadCertificate(options.name, paths.certPath, paths.keyPath);
  return { ...cert, dir: paths.caDir, configPath, chain: [issuer, ...issuer.chain] };
}

/**
 * Issues a leaf signed by `ca` with sha256WithRSA, a random positive serial, CA:FALSE, keyUsage
 * digitalSignature (critical), the requested EKU (timeStamping is made critical, as RFC 3161 asks),
 * and by default a SubjectKeyIdentifier. Validity defaults to 1 day ago until 2 years from now.
 */
export async function issueCertificate(ca: TestCa, options: LeafOptions): Promise<TestCertificate> {
  const paths = await allocatePaths(join(ca.dir, '..'), options.subject, false);
  await generateKey(paths.keyPath, options.keyType ?? 'rsa', options.keyBits ?? 2048);
  const extensions = leafExtensions(options.eku ?? 'codeSigning', options.ski ?? true, true);
  await signRequest(ca, paths, toDn(options.subject), extensions, { notBefore: options.notBefore, notAfter: options.notAfter, backDays: 1, forwardDays: 2 * 365 });
  return loadCertificate(options.subject, paths.certPath, paths.keyPath);
}

/**
 * Creates a self-signed leaf in `dir` (its own root): an RSA key signs it with sha256WithRSA (ECDSA for
 * EC keys), keyUsage digitalSignature and the requested EKU, valid from 1 day ago for `days` days.
 */
export async function createSelfSigned(dir: string, options: LeafOptions & { readonly days?: number }): Promise<TestCertificate> {
  const paths = await allocatePaths(dir, options.subject);
  await generateKey(paths.keyPath, options.keyType ?? 'rsa', options.keyBits ?? 2048);
  const configPath = await writeCaConfig(paths.caDir);
  const csrPath = `${paths.base}.csr`;
  await runOpenssl(['req', '-new', '-key', paths.keyPath, '-subj', toDn(options.subject), '-out', csrPath]);
  const extPath = await writeExtensions(paths.base, leafExtensions(options.eku ?? 'codeSigning', options.ski ?? true, false));
  const notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + (options.days ?? 365) * DAY_MS);
  await runOpenssl([
    'ca', '-batch', '-config', configPath, '-selfsign', '-keyfile', paths.keyPath, '-in', csrPath,
    '-out', paths.certPath, '-extfile', extPath, '-extensions', 'ext', ...validity({ notBefore, notAfter, backDays: 1, forwardDays: 365 }),
  ]);
  return loadCertificate(options.subject, paths.certPath, paths.keyPath);
}

/** Writes `cert` and its key as a password-protected PKCS#12 file next to the certificate and returns its path. */
export async function exportPfx(cert: TestCertificate, options: PfxOptions): Promise<string> {
  const suffix = options.legacy ? `legacy-${options.legacyCertBags ?? 'rc2-40'}` : 'modern';
  const pfxPath = options.fileName === undefined ? cert.certPath.replace(/\.crt$/, `.${suffix}.pfx`) : join(cert.certPath, '..', options.fileName);
  const args = ['pkcs12', '-export', '-inkey', cert.keyPath, '-in', cert.certPath, '-out', pfxPath, '-passout', `pass:${options.password}`];
  if (options.includeChain !== undefined && options.includeChain.length > 0) {
    const chainPath = `${pfxPath}.chain.pem`;
    await writeFile(chainPath, options.includeChain.map((c) => c.certPem).join(''));
    args.push('-certfile', chainPath);
  }
  if (options.legacy) {
    if (options.legacyCertBags === '3des') {
      args.push('-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1');
    } else {
      args.push('-legacy');
    }
  }
  await runOpenssl(args);
  return pfxPath;
}

interface CertPaths {
  readonly base: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caDir: string;
}

async function allocatePaths(dir: string, name: string, withCaDir = true): Promise<CertPaths> {
  const slug = name.replace(/^\//, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40).toLowerCase();
  const base = join(dir, `${slug || 'cert'}-${randomBytes(3).toString('hex')}`);
  const caDir = `${base}.ca`;
  await mkdir(withCaDir ? join(caDir, 'issued') : dir, { recursive: true });
  return { base, certPath: `${base}.crt`, keyPath: `${base}.key`, caDir };
}

async function generateKey(keyPath: string, keyType: 'rsa' | 'ec', keyBits: number): Promise<void> {
  const algorithm = keyType === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${keyBits}`] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await runOpenssl(['genpkey', ...algorithm, '-out', keyPath]);
}

// `openssl ca` (not `x509 -req`) because only it takes explicit start and end dates in OpenSSL 3.0.
async function writeCaConfig(caDir: string): Promise<string> {
  const configPath = join(caDir, 'ca.cnf');
  await writeFile(join(caDir, 'index.txt'), '');
  await writeFile(
    configPath,
    [
      '[ca]', 'default_ca = ca_default', '[ca_default]',
      `database = ${join(caDir, 'index.txt')}`, `new_certs_dir = ${join(caDir, 'issued')}`,
      'rand_serial = yes', 'default_md = sha256', 'policy = policy_any', 'unique_subject = no',
      'email_in_dn = no', 'preserve = yes', 'copy_extensions = none',
      '[policy_any]', 'commonName = optional', 'organizationName = optional', 'organizationalUnitName = optional', 'countryName = optional',
      '',
    ].join('\n'),
  );
  return configPath;
}

// `openssl ca` rewrites its index.txt by renaming files: two issues from one CA at once collide,
// so issuing is serialised per CA directory.
const caQueues = new Map<string, Promise<unknown>>();

function inCaQueue<T>(caDir: string, task: () => Promise<T>): Promise<T> {
  const run = (caQueues.get(caDir) ?? Promise.resolve()).then(task, task);
  caQueues.set(caDir, run.catch(() => undefined));
  return run;
}

/** A certificate's validity: the dates given, or else so many days before and after now. */
interface ValidityWindow {
  readonly notBefore: Date | undefined;
  readonly notAfter: Date | undefined;
  readonly backDays: number;
  readonly forwardDays: number;
}

async function signRequest(issuer: TestCa, paths: CertPaths, dn: string, extensions: readonly string[], window: ValidityWindow): Promise<void> {
  const csrPath = `${paths.base}.csr`;
  await runOpenssl(['req', '-new', '-key', paths.keyPath, '-subj', dn, '-out', csrPath]);
  const extPath = await writeExtensions(paths.base, extensions);
  await inCaQueue(issuer.dir, () =>
    runOpenssl([
      'ca', '-batch', '-config', issuer.configPath, '-cert', issuer.certPath, '-keyfile', issuer.keyPath,
      '-in', csrPath, '-out', paths.certPath, '-extfile', extPath, '-extensions', 'ext',
      ...validity(window),
    ]),
  );
}

function validity({ notBefore, notAfter, backDays, forwardDays }: ValidityWindow): string[] {
  const start = notBefore ?? new Date(Date.now() - backDays * DAY_MS);
  const end = notAfter ?? new Date(Date.now() + forwardDays * DAY_MS);
  return ['-startdate', asn1Time(start), '-enddate', asn1Time(end), '-notext', '-md', 'sha256'];
}

function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function caExtensions(root: boolean): string[] {
  return [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash',
    root ? 'authorityKeyIdentifier = none' : 'authorityKeyIdentifier = keyid:always',
  ];
}

function leafExtensions(eku: TestEku, ski: boolean, issued: boolean): string[] {
  const lines = ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature'];
  if (eku === 'timeStamping') lines.push('extendedKeyUsage = critical,timeStamping');
  else if (eku !== 'none') lines.push(`extendedKeyUsage = ${eku}`);
  lines.push(ski ? 'subjectKeyIdentifier = hash' : 'subjectKeyIdentifier = none');
  lines.push(issued && ski ? 'authorityKeyIdentifier = keyid:always' : issued ? 'authorityKeyIdentifier = keyid' : 'authorityKeyIdentifier = none');
  return lines;
}

async function writeExtensions(base: string, lines: readonly string[]): Promise<string> {
  const path = `${base}.ext`;
  await writeFile(path, ['[ext]', ...lines, ''].join('\n'));
  return path;
}

function toDn(subject: string): string {
  return subject.startsWith('/') ? subject : `/CN=${subject.replace(/[/\\]/g, '\\$&')}`;
}

async function loadCertificate(subject: string, certPath: string, keyPath: string): Promise<TestCertificate> {
  const [certFile, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  // `openssl ca` output may carry text before the PEM block; keep the block only.
  const certPem = `${certFile.slice(certFile.indexOf('-----BEGIN CERTIFICATE-----')).trim()}\n`;
  await writeFile(certPath, certPem);
  const x509 = new X509Certificate(certPem);
  return {
    subject,
    certPem,
    keyPem,
    certDer: new Uint8Array(x509.raw),
    certPath,
    keyPath,
    fingerprintSha256: x509.fingerprint256.replaceAll(':', '').toUpperCase(),
  };
}
