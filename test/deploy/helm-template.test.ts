// SPDX-License-Identifier: MIT
// The template renderer against Helm's documented output for every construct the chart uses, and a
// guard that the chart uses no other: trim markers, comments, fields of . and $, if/else/end with
// and/or/not/gt/int, range, define/include, toYaml, nindent, quote, default, raw strings.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplate } from './helm-template/parse.js';
import { collectDefines, goFloat, renderTemplate } from './helm-template/render.js';

function render(source: string, values: Record<string, unknown> = {}): string {
  const nodes = parseTemplate(source);
  const root = { Values: values, Release: { Name: 'rel', Namespace: 'ns' } };
  return renderTemplate(nodes, root, collectDefines([nodes]));
}

test('trim markers remove all whitespace on their side, newlines included', () => {
  assert.equal(render('a  \n {{- "b" -}} \n  c'), 'abc');
  assert.equal(render('a\n{{ "b" }}\nc'), 'a\nb\nc');
  assert.equal(render('x:\n  {{- if true }}\n  y: 1\n  {{- end }}\nz: 2'), 'x:\n  y: 1\nz: 2');
});

test('comments render nothing, even with quotes and braces inside', () => {
  assert.equal(render('{{- /* a "quoted" }} comment */ -}}\nkind: X'), 'kind: X');
});

test('fields: missing ones print empty, $ is the root inside range', () => {
  assert.equal(render('{{ .Values.a.b }}|{{ .Values.missing.deeper }}|{{ .Release.Name }}', { a: { b: 'v' } }), 'v||rel');
  assert.equal(render('{{ range .Values.list }}{{ . }}-{{ $.Release.Namespace }};{{ end }}', { list: ['a', 'b'] }), 'a-ns;b-ns;');
  assert.equal(render('{{ range .Values.map }}{{ . }}{{ end }}', { map: { z: 1, a: 2 } }), '21');
});

test('if follows Go truthiness; and/or return an operand, not a boolean', () => {
  for (const falsy of [false, 0, '', [], {}, undefined]) assert.equal(render('{{ if .Values.x }}T{{ else }}F{{ end }}', { x: falsy }), 'F');
  for (const truthy of [true, 1, 's', [0], { a: 1 }]) assert.equal(render('{{ if .Values.x }}T{{ else }}F{{ end }}', { x: truthy }), 'T');
  assert.equal(render('{{ and .Values.a .Values.b }}|{{ or .Values.c .Values.b }}', { a: 'x', b: 'y', c: '' }), 'y|y');
  assert.equal(render('{{ if and .Values.a (not .Values.c) }}T{{ end }}', { a: 1, c: '' }), 'T');
});

test('gt needs one kind on both sides; int converts a float64 value', () => {
  assert.equal(render('{{ if gt (int .Values.n) 1 }}many{{ else }}one{{ end }}', { n: 2 }), 'many');
  assert.equal(render('{{ if gt (int .Values.n) 1 }}many{{ else }}one{{ end }}', { n: 1 }), 'one');
  assert.throws(() => render('{{ gt .Values.n "1" }}', { n: 2 }), /incompatible types/);
});

test('numbers print like Go formats a float64, booleans as true/false', () => {
  assert.equal(render('{{ .Values.a }} {{ .Values.b }} {{ .Values.c }} {{ .Values.d }}', { a: 8080, b: 1.5, c: 1000000, d: true }), '8080 1.5 1e+06 true');
  assert.equal(goFloat(123456), '123456');
  assert.equal(goFloat(0.00001), '1e-05');
});

test('toYaml sorts keys, leaves sequences unindented (go-yaml v2) and drops the final newline; nindent pads every line', () => {
  assert.equal(render('r:\n  {{- toYaml .Values.m | nindent 2 }}', { m: { b: 1, a: [1, 2] } }), 'r:\n  a:\n  - 1\n  - 2\n  b: 1');
  assert.equal(render('{{ "a\\nb" | nindent 2 }}'), '\n  a\n  b');
  assert.equal(render('{{ toYaml .Values.e }}', { e: {} }), '{}');
});

test('define and include share templates; include pipes into nindent', () => {
  const source = '{{- define "l" -}}\na: {{ .Release.Name }}\nb: 2\n{{- end }}\nm:\n  {{- include "l" . | nindent 2 }}';
  assert.equal(render(source), '\nm:\n  a: rel\n  b: 2');
});

test('quote, default and raw strings', () => {
  assert.equal(render('{{ .Values.s | quote }} {{ .Values.n | quote }}', { s: 'a"b', n: 8080 }), '"a\\"b" "8080"');
  assert.equal(render('{{ default "fallback" .Values.t }}|{{ default "fallback" .Values.u }}', { t: '', u: 'set' }), 'fallback|set');
  assert.equal(render('{{ `{{ $labels.name }}` }}'), '{{ $labels.name }}');
});

test('constructs outside the subset are parse errors', () => {
  for (const source of ['{{ with .Values }}{{ end }}', '{{ $x := 1 }}', '{{ if true }}{{ else if false }}{{ end }}', '{{ template "x" }}', '{{ if true }}']) {
    assert.throws(() => parseTemplate(source), source);
  }
  assert.throws(() => render('{{ printf "%s" "a" }}'), /not defined/);
  assert.throws(() => render('{{ .Values.m }}', { m: { a: 1 } }), /toYaml/);
});
