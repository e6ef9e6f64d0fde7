// SPDX-License-Identifier: MIT
// Real nuget.org packages from the machine's fixed package folder, classified by the signatures they carry.
import { execFile, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The machine's read-only folder of packages downloaded from nuget.org (`<id>/<version>/<id>.<version>.nupkg`). */
export const NUGET_ORG_PACKAGES_DIR = '/opt/nuget/packages';

// Commitment-type-indication values (ETSI / RFC 5126) that NuGet uses to tell author from repository.
const PROOF_OF_ORIGIN = /proofOfOrigin|1\.2\.840\.113549\.1\.9\.16\.6\.1\b/;
const PROOF_OF_RECEIPT = /proofOfReceipt|1\.2\.840\.113549\.1\.9\.16\.6\.2\b/;

/** One package file of the nuget.org folder; `id` and `version` are as the folder spells them (lowercase). */
export interface NuGetOrgPackage {
  readonly id: string;
  readonly version: string;
  readonly path: string;
  readonly size: number;
}

/** How a package is signed: no signature, an author primary (optionally repository-countersigned), or a repository primary. */
export type SignatureShape = 'unsigned' | 'author' | 'author+repository-countersignature' | 'repository';

/** Lists the nupkg files of {@link NUGET_ORG_PACKAGES_DIR} sorted by id; an absent folder gives an empty list. */
export async function nugetOrgPackages(root: string = NUGET_ORG_PACKAGES_DIR): Promise<NuGetOrgPackage[]> {
  let ids: string[];
  try {
    ids = await readdir(root);
  } catch {
    return [];
  }
  const packages: NuGetOrgPackage[] = [];
  for (const id of ids.sort()) {
    for (const version of await readdir(join(root, id)).catch(() => [])) {
      const path = join(root, id, version, `${id}.${version}.nupkg`);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() === true) packages.push({ id, version, path, size: info.size });
    }
  }
  return packages;
}

/**
 * Reads the `.signature.p7s` of `nupkg` (with `unzip -p`) and classifies it from the commitment types
 * that `openssl cms -cmsout -print` shows: proofOfOrigin marks an author signature, proofOfReceipt a
 * repository one; both together mean an author primary with a repository countersignature.
 */
export async function signatureShape(nupkg: string): Promise<SignatureShape> {
  const { stdout: entries } = await execFileAsync('unzip', ['-Z1', nupkg], { maxBuffer: 64 * 1024 * 1024 });
  if (!entries.split('\n').includes('.signature.p7s')) return 'unsigned';
  const printed = await pipeSignatureToOpenssl(nupkg);
  const author = PROOF_OF_ORIGIN.test(printed);
  const repository = PROOF_OF_RECEIPT.test(printed);
  if (author) return repository ? 'author+repository-countersignature' : 'author';
  if (repository) return 'repository';
  throw new Error(`${nupkg}: signature has no NuGet commitment type`);
}

/** The first nuget.org package with the given signature shape, or undefined when the folder has none. */
export async function findNuGetOrgPackage(shape: SignatureShape): Promise<NuGetOrgPackage | undefined> {
  for (const pkg of await nugetOrgPackages()) {
    if ((await signatureShape(pkg.path)) === shape) return pkg;
  }
  return undefined;
}

function pipeSignatureToOpenssl(nupkg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const unzip = spawn('unzip', ['-p', nupkg, '.signature.p7s'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const openssl = spawn('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER'], { stdio: ['pipe', 'pipe', 'pipe'] });
    unzip.stdout.pipe(openssl.stdin);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    openssl.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    openssl.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    unzip.on('error', reject);
    openssl.on('error', reject);
    openssl.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`openssl cms -print failed for ${nupkg}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}
