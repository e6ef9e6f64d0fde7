// SPDX-License-Identifier: MIT
// Loads a chart folder and renders it like `helm template`: values.yaml coalesced with overrides,
// `.Release`/`.Chart`/`.Values`, every templates/*.yaml and *.tpl parsed (helpers define, files
// render), the output split into objects. NOTES.txt is rendered apart, as Helm does.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { parseTemplate, type Node } from './parse.js';
import { collectDefines, renderTemplate } from './render.js';

/** A Kubernetes object as rendered. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** What `helm template` would print, per template file, plus NOTES.txt. */
export interface RenderedChart {
  files: Map<string, string>;
  objects: RenderedObject[];
  notes: string;
}

/** A release as `helm install <name> -n <namespace> -f <values>` would create it. */
export interface Release {
  name: string;
  namespace: string;
  values?: Record<string, unknown>;
}

type Values = Record<string, unknown>;

const isMap = (v: unknown): v is Values => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Helm's coalescing: maps merge key by key, anything else replaces, null deletes. */
export function coalesce(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else out[key] = isMap(value) && isMap(out[key]) ? coalesce(out[key], value) : value;
  }
  return out;
}

/** Reads a YAML file. */
export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

/** Renders the chart at `dir` for `release`. */
export function renderChart(dir: string, release: Release): RenderedChart {
  const chart = readYaml<{ name: string; version: string; appVersion: string }>(join(dir, 'Chart.yaml'));
  const values = coalesce(readYaml<Values>(join(dir, 'values.yaml')), release.values ?? {});
  const root = {
    Values: values,
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const names = readdirSync(join(dir, 'templates')).sort();
  const parsed = new Map<string, Node[]>(names.map((name) => [name, parseTemplate(readFileSync(join(dir, 'templates', name), 'utf8'))]));
  const defines = collectDefines([...parsed.values()]);
  const files = new Map<string, string>();
  let notes = '';
  for (const [name, nodes] of parsed) {
    if (name.endsWith('.tpl')) continue;
    const text = renderTemplate(nodes, root, defines);
    if (name === 'NOTES.txt') notes = text;
    else files.set(name, text);
  }
  const objects = [...files.values()].flatMap((text) =>
    parseAllDocuments(text).flatMap((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      const object = doc.toJS() as RenderedObject | null;
      return object === null ? [] : [object];
    }),
  );
  return { files, objects, notes };
}
