// SPDX-License-Identifier: MIT
// The files derived from one source each: the chart's CRD template from crds/ (generated), and the
// plain manifests in deploy/kustomize from the chart rendered with its default values. `generate.ts`
// writes them; sources.test.ts fails when a committed copy differs.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart, type Release } from './helm-template/chart.js';

/** The repository root. */
export const ROOT = new URL('../../', import.meta.url).pathname;
/** The chart folder. */
export const CHART = join(ROOT, 'charts/reposign');
/** The Kustomize folder of the plain manifests. */
export const KUSTOMIZE = join(ROOT, 'deploy/kustomize');
/** The release the plain manifests stand for. */
export const DEFAULT_RELEASE: Release = { name: 'reposign', namespace: 'reposign' };

const CRD_ANNOTATIONS = `  name: repositorysigners.reposign.dev
  {{- if .Values.crds.keep }}
  annotations:
    helm.sh/resource-policy: keep
  {{- end }}
  labels:
    {{- include "reposign.labels" . | nindent 4 }}
`;

/** charts/reposign/templates/crd-repositorysigners.yaml, from crds/. */
export function chartCrdTemplate(): string {
  const crds = readdirSync(join(ROOT, 'crds')).filter((name) => name.endsWith('.yaml')).sort();
  const bodies = crds.map((name) => {
    const text = readFileSync(join(ROOT, 'crds', name), 'utf8').replace(/^#.*\n/, '');
    if (text.includes('{{')) throw new Error(`${name} contains '{{', which Helm would evaluate`);
    if (!text.includes('  name: repositorysigners.reposign.dev\n')) throw new Error(`${name}: metadata.name not found`);
    return text.replace('  name: repositorysigners.reposign.dev\n', CRD_ANNOTATIONS).trimEnd();
  });
  return `{{- /* Generated from crds/ by test/deploy/generate.ts. Do not edit. */ -}}
{{- if .Values.crds.enabled }}
${bodies.join('\n---\n')}
{{- end }}
`;
}

/** deploy/kustomize/reposign.yaml: the chart's default objects, one document per template file. */
export function plainManifests(): string {
  const rendered = renderChart(CHART, DEFAULT_RELEASE);
  const documents = [...rendered.files].flatMap(([name, text]) =>
    text
      .split(/^---$/m)
      .map((doc) => doc.trim())
      .filter((doc) => doc !== '')
      .map((doc) => `# Source: reposign/templates/${name}\n${doc}`),
  );
  return `# Generated from charts/reposign (default values, release "reposign" in namespace "reposign")
# by test/deploy/generate.ts. Do not edit: change the chart and regenerate.
---
${documents.join('\n---\n')}
`;
}
