// SPDX-License-Identifier: MIT
// Parses the subset of Go text/template that the reposign chart uses: text, `{{ pipeline }}`,
// `if`/`else`/`end`, `range`/`end`, `define`/`end`, comments and the `{{-`/`-}}` trim markers.
// Anything else (with, else if, variables other than `$`, block, template) is a parse error, so
// the chart cannot silently use a construct the tests do not cover.

/** One argument or command head in a pipeline. */
export type Term =
  | { kind: 'field'; root: '.' | '$'; path: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'call'; name: string; args: Term[] }
  | { kind: 'pipe'; pipeline: Pipeline };

/** `a | f b | g`: each stage after the first receives the previous result as its last argument. */
export type Pipeline = Term[];

/** A node of the parsed template. */
export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; pipeline: Pipeline }
  | { kind: 'if'; condition: Pipeline; then: Node[]; otherwise: Node[] }
  | { kind: 'range'; over: Pipeline; body: Node[] }
  | { kind: 'define'; name: string; body: Node[] };

interface Action {
  body: string;
}

/** The offset of the `}}` closing the action whose body starts at `from`, skipping quoted strings and comments. */
function actionEnd(source: string, from: number): number {
  let at = /^-?\s*\/\*/.test(source.slice(from, from + 4)) ? source.indexOf('*/', from) : from;
  while (at !== -1 && at < source.length) {
    const ch = source[at];
    if (ch === '}' && source[at + 1] === '}') return at;
    if (ch === '"') {
      const quoted = /"(?:[^"\\\n]|\\.)*"/y;
      quoted.lastIndex = at;
      at = quoted.exec(source) === null ? -1 : quoted.lastIndex;
    } else if (ch === '`') {
      const close = source.indexOf('`', at + 1);
      at = close === -1 ? -1 : close + 1;
    } else at++;
  }
  throw new Error(`unclosed action at offset ${from - 2}`);
}

/** Splits a template into text and action bodies, applying the trim markers. */
function lex(source: string): (string | Action)[] {
  const parts: (string | Action)[] = [];
  let at = 0;
  let trimNext = false;
  for (;;) {
    const open = source.indexOf('{{', at);
    let text = source.slice(at, open === -1 ? undefined : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      parts.push(text);
      return parts;
    }
    const close = actionEnd(source, open + 2);
    let body = source.slice(open + 2, close);
    if (/^-\s/.test(body)) {
      text = text.replace(/\s+$/, '');
      body = body.slice(1);
    }
    trimNext = /\s-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    parts.push(text, { body: body.trim() });
    at = close + 2;
  }
}

/** Splits an action body into words, keeping quoted strings and parentheses whole. */
function words(body: string): string[] {
  const out: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||[^\s()|]+)/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(body)) !== null) out.push(match[1]);
  if (out.join('').replace(/\s/g, '') !== body.replace(/\s/g, '')) throw new Error(`cannot tokenize action '${body}'`);
  return out;
}

function term(word: string): Term {
  if (word.startsWith('"')) return { kind: 'string', value: JSON.parse(word) as string };
  if (word.startsWith('`')) return { kind: 'string', value: word.slice(1, -1) };
  if (/^-?[0-9]+$/.test(word)) return { kind: 'number', value: Number(word) };
  if (word === 'true' || word === 'false') return { kind: 'bool', value: word === 'true' };
  if (word === '.' || word === '$') return { kind: 'field', root: word, path: [] };
  if (word.startsWith('.')) return { kind: 'field', root: '.', path: word.slice(1).split('.') };
  if (word.startsWith('$.')) return { kind: 'field', root: '$', path: word.slice(2).split('.') };
  if (/^[a-zA-Z][a-zA-Z0-9]*$/.test(word)) return { kind: 'call', name: word, args: [] };
  throw new Error(`unsupported term '${word}'`);
}

/** Parses words into a pipeline; a function name takes the words that follow it as arguments. */
function pipeline(tokens: string[]): Pipeline {
  let position = 0;
  const operand = (): Term => {
    const word = tokens[position++];
    if (word !== '(') return term(word);
    const inner = stages(')');
    position++;
    return { kind: 'pipe', pipeline: inner };
  };
  const stages = (end: string | undefined): Pipeline => {
    const result: Pipeline = [];
    while (position < tokens.length && tokens[position] !== end) {
      const head = operand();
      if (head.kind === 'call') while (position < tokens.length && tokens[position] !== '|' && tokens[position] !== end) head.args.push(operand());
      result.push(head);
      if (tokens[position] === '|') position++;
    }
    return result;
  };
  const result = stages(undefined);
  if (result.length === 0) throw new Error('empty pipeline');
  return result;
}

/** Parses a template source into nodes. */
export function parseTemplate(source: string): Node[] {
  const parts = lex(source);
  let index = 0;
  const block = (terminators: string[]): { nodes: Node[]; ended: string } => {
    const nodes: Node[] = [];
    while (index < parts.length) {
      const part = parts[index++];
      if (typeof part === 'string') {
        if (part !== '') nodes.push({ kind: 'text', text: part });
        continue;
      }
      const body = part.body;
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw new Error('unclosed comment');
        continue;
      }
      const [keyword, ...rest] = words(body);
      if (terminators.includes(keyword) && rest.length === 0) return { nodes, ended: keyword };
      if (keyword === 'if') {
        const then = block(['else', 'end']);
        const otherwise = then.ended === 'else' ? block(['end']).nodes : [];
        nodes.push({ kind: 'if', condition: pipeline(rest), then: then.nodes, otherwise });
      } else if (keyword === 'range') {
        nodes.push({ kind: 'range', over: pipeline(rest), body: block(['end']).nodes });
      } else if (keyword === 'define') {
        const name = term(rest[0]);
        if (name.kind !== 'string' || rest.length !== 1) throw new Error(`define needs one quoted name: '${body}'`);
        nodes.push({ kind: 'define', name: name.value, body: block(['end']).nodes });
      } else if (['else', 'end', 'with', 'block', 'template'].includes(keyword) || rest[0] === ':=') {
        throw new Error(`unsupported or misplaced '${body}'`);
      } else {
        nodes.push({ kind: 'output', pipeline: pipeline([keyword, ...rest]) });
      }
    }
    if (terminators.length > 0) throw new Error(`missing {{ end }} (expected ${terminators.join(' or ')})`);
    return { nodes, ended: '' };
  };
  return block([]).nodes;
}
