// SPDX-License-Identifier: MIT
// Evaluates parsed templates with Helm's semantics for the functions the chart uses: include,
// toYaml, nindent, quote, default, int, not, and, or, gt. Numbers print
// like Go's %v of a float64 (Helm reads values as JSON numbers); a missing value prints as ''.

import { stringify } from 'yaml';
import type { Node, Pipeline, Term } from './parse.js';

type Value = unknown;

interface Scope {
  dot: Value;
  root: Value;
  defines: Map<string, Node[]>;
}

/** Go's `if`: false, 0, nil, '' and empty collections are false. */
export function truthy(value: Value): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** strconv.FormatFloat(x, 'g', -1, 64), which is how text/template prints a float64. */
export function goFloat(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const exponent = Math.floor(Math.log10(Math.abs(x)));
  if (exponent >= -4 && exponent < 6) return String(x);
  const [mantissa, exp] = x.toExponential().split('e');
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
}

function print(value: Value): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'boolean') return String(value);
  throw new Error(`cannot print a collection without toYaml: ${JSON.stringify(value)}`);
}

/** sigs.k8s.io/yaml output as Helm's toYaml returns it: sorted keys, unindented sequences, no trailing newline. */
export function toYaml(value: Value): string {
  return stringify(value ?? null, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(/\n$/, '');
}

function indent(spaces: Value, text: Value): string {
  const pad = ' '.repeat(Number(spaces));
  return pad + print(text).replaceAll('\n', `\n${pad}`);
}

function sameKind(name: string, a: Value, b: Value): void {
  if (typeof a !== typeof b) throw new Error(`${name}: incompatible types for comparison`);
}

const functions: Record<string, (scope: Scope, args: Value[]) => Value> = {
  include: (scope, [name, data]) => {
    const body = scope.defines.get(String(name));
    if (body === undefined) throw new Error(`include: no template "${String(name)}"`);
    return renderNodes(body, { ...scope, dot: data });
  },
  toYaml: (_, [value]) => toYaml(value),
  nindent: (_, [spaces, text]) => `\n${indent(spaces, text)}`,
  quote: (_, args) => args.filter((a) => a !== undefined && a !== null).map((a) => JSON.stringify(print(a))).join(' '),
  default: (_, [fallback, value]) => (truthy(value) ? value : fallback),
  int: (_, [value]) => Math.trunc(Number(value ?? 0)),
  not: (_, [value]) => !truthy(value),
  and: (_, args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (_, args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  gt: (_, [a, b]) => (sameKind('gt', a, b), (a as number) > (b as number)),
};

function field(scope: Scope, root: '.' | '$', path: string[]): Value {
  let value = root === '.' ? scope.dot : scope.root;
  for (const key of path) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object') throw new Error(`can't evaluate field ${key} in type ${typeof value}`);
    value = (value as Record<string, Value>)[key];
  }
  return value;
}

function evaluate(scope: Scope, term: Term, piped: Value[]): Value {
  switch (term.kind) {
    case 'field':
      return field(scope, term.root, term.path);
    case 'string':
    case 'number':
    case 'bool':
      return term.value;
    case 'pipe':
      return run(scope, term.pipeline);
    case 'call': {
      const fn = functions[term.name];
      if (fn === undefined) throw new Error(`function "${term.name}" not defined`);
      return fn(scope, [...term.args.map((a) => evaluate(scope, a, [])), ...piped]);
    }
  }
}

function run(scope: Scope, pipeline: Pipeline): Value {
  let value: Value = undefined;
  pipeline.forEach((stage, i) => {
    if (i > 0 && stage.kind !== 'call') throw new Error('only functions may follow |');
    value = evaluate(scope, stage, i === 0 ? [] : [value]);
  });
  return value;
}

function renderNodes(nodes: readonly Node[], scope: Scope): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'output') out += print(run(scope, node.pipeline));
    else if (node.kind === 'if') out += renderNodes(truthy(run(scope, node.condition)) ? node.then : node.otherwise, scope);
    else if (node.kind === 'range') {
      const over = run(scope, node.over);
      const items = Array.isArray(over) ? over : over !== null && typeof over === 'object' ? Object.keys(over).sort().map((k) => (over as Record<string, Value>)[k]) : [];
      for (const item of items) out += renderNodes(node.body, { ...scope, dot: item });
    }
  }
  return out;
}

/** Collects every `define` of `templates` (helpers first, like Helm's shared template namespace). */
export function collectDefines(templates: readonly Node[][]): Map<string, Node[]> {
  const defines = new Map<string, Node[]>();
  const visit = (nodes: readonly Node[]): void => {
    for (const node of nodes) if (node.kind === 'define') defines.set(node.name, node.body);
  };
  templates.forEach(visit);
  return defines;
}

/** Renders one parsed template with `root` as both `.` and `$`. */
export function renderTemplate(nodes: readonly Node[], root: Value, defines: Map<string, Node[]>): string {
  return renderNodes(nodes, { dot: root, root, defines });
}
