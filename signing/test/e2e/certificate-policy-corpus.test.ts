// SPDX-License-Identifier: MIT
// The differential certificate-shape corpus: for every shape the real NuGet client is the oracle.
// Each shape signs a package with the engine's builder bypassing the policy (the engine cannot
// sign with EC or RSA-PSS keys, so for those `dotnet nuget sign` gives the client's verdict); one
// `dotnet nuget verify --all` judges all packages with the leaves trusted through allowUntrustedRoot,
// one more with the roots in the SDK's trust bundle. `reposign sign` must refuse exactly the shapes
// the client rejects under bundle trust, with its code; `reposign verify` must agree with both runs
// (pinned ↔ allowUntrustedRoot, unpinned ↔ bundle). The verdicts are the table between the
// certificate-shapes markers of docs/signing.md; REPOSIGN_UPDATE_DOCS=1 rewrites it, otherwise drift fails.

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { main } from '../../src/cli/main.js';
import { verifyPackage } from '../../src/index.js';
import { certificateShapes, materializeShapes, type MaterializedShape } from '../helpers/certificate-shapes.js';
import { packTestPackage, prepareTrustingSdk, requireDotnet, runDotnet, verifyPackages } from '../helpers/dotnet.js';
import { writeNuGetConfig } from '../helpers/nuget-config.js';
import { runOpenssl } from '../helpers/pki.js';
import { tempDirFor } from '../helpers/temp-dir.js';
import { signUnchecked } from '../helpers/unchecked-signer.js';

const SERVICE_INDEX = 'https://feed.reposign.test/v3/index.json';
const DOC = resolve(fileURLToPath(new URL('../../../docs/signing.md', import.meta.url)));
const BEGIN = '<!-- certificate-shapes:begin -->';
const END = '<!-- certificate-shapes:end -->';

/** The client's verdict on one package: accepted or not, and the NU codes of its errors and warnings. */
interface ClientVerdict {
  readonly accepted: boolean;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** Splits the output of one `dotnet nuget verify --all` over many packages into a verdict per package path. */
function parseVerifyOutput(output: string): Map<string, ClientVerdict> {
  const verdicts = new Map<string, ClientVerdict>();
  for (const block of output.split(/\n(?=Verifying \S+\n)/).slice(1)) {
    const path = /^(\/\S+\.nupkg)$/m.exec(block)?.[1];
    if (path === undefined) continue;
    const codes = (level: string): string[] => [...block.matchAll(new RegExp(`^${level} ?: (NU\\d{4}):`, 'gm'))].map((match) => match[1]);
    verdicts.set(path, { accepted: /Successfully verified package/.test(block), errors: codes('error'), warnings: codes('warn') });
  }
  return verdicts;
}

function describeVerdict(verdict: ClientVerdict): string {
  if (!verdict.accepted) return `rejected ${verdict.errors.join(', ')}`;
  const warnings = verdict.warnings.filter((code) => code !== 'NU3027');
  return warnings.length === 0 ? 'accepted' : `accepted, warns ${warnings.join(', ')}`;
}

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { out: () => undefined, err: (line) => err.push(line) });
  return { code, err: err.join('\n') };
}

/** `dotnet nuget sign` with the shape's key: the client's own verdict for keys the engine cannot sign with. */
async function clientSignVerdict(shape: MaterializedShape, unsigned: string, dir: string): Promise<ClientVerdict> {
  const pfx = join(dir, `${shape.shape.name}.pfx`);
  await runOpenssl(['pkcs12', '-export', '-inkey', shape.keyPath, '-in', shape.chainPemPath, '-out', pfx, '-passout', 'pass:pw']);
  const result = await runDotnet('dotnet', ['nuget', 'sign', unsigned, '--certificate-path', pfx, '--certificate-password', 'pw', '--output', join(dir, 'client-signed')]);
  const errors = [...result.output.matchAll(/^error: (NU\d{4}):/gm)].map((match) => match[1]);
  return { accepted: errors.length === 0, errors, warnings: [] };
}

interface Row {
  readonly shape: MaterializedShape;
  readonly trusted: ClientVerdict;
  readonly allowUntrustedRoot: ClientVerdict;
  readonly signed: boolean;
}

/** The client judged EC and RSA-PSS shapes from the PFX `dotnet nuget sign` was given: reposign must agree from that PFX too. */
async function pfxDisagreements(row: Row, unsigned: string, dir: string): Promise<string[]> {
  const name = row.shape.shape.name;
  const result = await cli('sign', unsigned, '--certificate-path', join(dir, `${name}.pfx`), '--certificate-password', 'pw', '--v3-service-index-url', SERVICE_INDEX, '--output', join(dir, 'cli-pfx', name));
  const code = /^error: (NU\d{4}):/m.exec(result.err)?.[1];
  const agrees = result.code === (row.trusted.accepted ? 0 : 2) && code === row.trusted.errors[0];
  return agrees ? [] : [`${name} sign from PFX: exit ${result.code} ${code ?? ''}, client ${describeVerdict(row.trusted)}\n${result.err}`];
}

function table(rows: readonly Row[]): string {
  const lines = [
    BEGIN,
    '<!-- Generated by signing/test/e2e/certificate-policy-corpus.test.ts (REPOSIGN_UPDATE_DOCS=1 node scripts/run-tests.mjs certificate-policy-corpus). Do not edit. -->',
    '',
    '| Shape | What differs | Client, root trusted | Client, leaf trusted with allowUntrustedRoot | `reposign sign` |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const viaSign = row.signed ? ' (by `dotnet nuget sign`)' : '';
    const sign = row.trusted.accepted ? 'signs' : `refuses, exit 2, ${row.trusted.errors[0] ?? ''}`;
    lines.push(`| \`${row.shape.shape.name}\` | ${row.shape.shape.description} | ${describeVerdict(row.trusted)}${viaSign} | ${describeVerdict(row.allowUntrustedRoot)}${viaSign} | ${sign} |`);
  }
  return `${lines.join('\n')}\n${END}`;
}

test('certificate shapes: reposign sign and verify agree with the NuGet client', { timeout: 900_000 }, async (t) => {
  if (!(await requireDotnet(t))) return;
  const dir = await tempDirFor(t, 'certificate-corpus');
  const shapes = await materializeShapes(join(dir, 'shapes'), certificateShapes());
  const unsigned = await packTestPackage(dir, { id: 'Corpus.Shape', version: '1.0.0' });

  const packages = new Map<string, string>();
  const unsignable: MaterializedShape[] = [];
  for (const shape of shapes) {
    const output = join(dir, 'packages', shape.shape.name, 'Corpus.Shape.1.0.0.nupkg');
    await mkdir(join(output, '..'), { recursive: true });
    if (shape.shape.chain[0].key === 'ec' || shape.shape.chain[0].key === 'rsa-pss') unsignable.push(shape);
    else {
      await signUnchecked(unsigned, output, shape.certificatesDer, shape.keyPath, SERVICE_INDEX);
      packages.set(shape.shape.name, output);
    }
  }

  const config = join(dir, 'allow-untrusted-root.config');
  const fingerprints = shapes.map((shape) => shape.fingerprint);
  await writeNuGetConfig(config, { sources: [], trustedSigners: [{ kind: 'repository', name: 'corpus', serviceIndex: SERVICE_INDEX, fingerprints, allowUntrustedRoot: true }] });
  const pem = (der: Uint8Array): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
  const roots = shapes.map((shape) => pem(shape.certificatesDer[shape.certificatesDer.length - 1]));
  const sdk = await prepareTrustingSdk({ codeSigningRoots: roots, timestampingRoots: [] });
  t.after(() => sdk.dispose());
  const plainConfig = join(dir, 'plain.config');
  await writeNuGetConfig(plainConfig, { sources: [] });
  const [untrustedRun, trustedRun] = await Promise.all([
    verifyPackages('dotnet', [...packages.values()], { configFile: config }),
    verifyPackages(sdk.dotnet, [...packages.values()], { configFile: plainConfig }),
  ]);
  const untrusted = parseVerifyOutput(untrustedRun.output);
  const trusted = parseVerifyOutput(trustedRun.output);

  const rows: Row[] = [];
  const disagreements: string[] = [];
  for (const shape of shapes) {
    const name = shape.shape.name;
    const path = packages.get(name);
    let row: Row;
    if (path === undefined) {
      const verdict = await clientSignVerdict(shape, unsigned, dir);
      row = { shape, trusted: verdict, allowUntrustedRoot: verdict, signed: true };
    } else {
      const byTrust = trusted.get(path);
      const byAllow = untrusted.get(path);
      assert.ok(byTrust && byAllow, `${name}: the client printed no verdict`);
      row = { shape, trusted: byTrust, allowUntrustedRoot: byAllow, signed: false };
      // reposign verify: unpinned ↔ root trusted, pinned ↔ allowUntrustedRoot.
      for (const [label, verdict, pins] of [['unpinned', byTrust, []], ['pinned', byAllow, [shape.fingerprint]]] as const) {
        const ours = await verifyPackage(path, { certificateFingerprints: pins });
        const errors = ours.issues.filter((issue) => issue.level === 'error').map((issue) => issue.nugetCode);
        if (ours.valid !== verdict.accepted || (!verdict.accepted && errors[0] !== verdict.errors[0])) {
          disagreements.push(`${name} verify ${label}: reposign ${ours.valid ? 'accepts' : `rejects ${errors.join(',')}`}, client ${describeVerdict(verdict)}`);
        }
      }
    }
    rows.push(row);
    // reposign sign: refuses exactly what the client rejects when the root is trusted, with its first code.
    const result = await cli('sign', unsigned, '--certificate-path', shape.chainPemPath, '--private-key-path', shape.keyPath, '--v3-service-index-url', SERVICE_INDEX, '--output', join(dir, 'cli', name));
    const clientRejects = !row.trusted.accepted;
    const code = /^error: (NU\d{4}):/m.exec(result.err)?.[1];
    const codeAgrees = code === row.trusted.errors[0];
    if (clientRejects ? result.code !== 2 || !codeAgrees : result.code !== 0) {
      disagreements.push(`${name} sign: exit ${result.code} ${code ?? ''}, client ${describeVerdict(row.trusted)}\n${result.err}`);
    }
    if (row.signed) disagreements.push(...(await pfxDisagreements(row, unsigned, dir)));
  }
  assert.deepEqual(disagreements, [], disagreements.join('\n'));

  const doc = await readFile(DOC, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  assert.ok(start >= 0 && end > start, 'docs/signing.md has no certificate-shapes markers');
  const current = doc.slice(start, end + END.length);
  const generated = table(rows);
  if (process.env['REPOSIGN_UPDATE_DOCS'] === '1') await writeFile(DOC, doc.replace(current, generated));
  else assert.equal(current, generated, 'the certificate-shape table in docs/signing.md is out of date: rerun with REPOSIGN_UPDATE_DOCS=1');
});
