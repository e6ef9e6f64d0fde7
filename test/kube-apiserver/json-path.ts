// SPDX-License-Identifier: MIT
// The simple JSONPath forms CRD printer columns use: `.a.b`, `.a[0]`, `.a[*].b`, `.a['k.x']`
// and `.a[?(@.type=="Ready")].b`.

import { isObject } from './json-value.js';

type Step =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; field: string; value: string };

const STEP = /^(?:\.([^.[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[(\d+)\]|\[\*\]|\[\?\(@\.([\w.-]+)\s*==\s*(?:"([^"]*)"|'([^']*)')\)\])/;

/** Parses a printer-column path; throws on forms outside the supported subset. */
export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  let rest = path.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '');
  while (rest !== '') {
    const m = STEP.exec(rest);
    if (m === null) throw new Error(`unsupported JSONPath ${JSON.stringify(path)}`);
    if (m[1] !== undefined) steps.push({ kind: 'key', key: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined) steps.push({ kind: 'key', key: (m[2] ?? m[3]) });
    else if (m[4] !== undefined) steps.push({ kind: 'index', index: Number(m[4]) });
    else if (m[5] !== undefined) steps.push({ kind: 'filter', field: m[5], value: (m[6] ?? m[7]) });
    else steps.push({ kind: 'all' });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

function apply(step: Step, value: unknown): unknown[] {
  switch (step.kind) {
    case 'key':
      return isObject(value) && step.key in value ? [value[step.key]] : [];
    case 'index':
      return Array.isArray(value) && step.index < value.length ? [value[step.index]] : [];
    case 'all':
      return Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
    case 'filter':
      return Array.isArray(value)
        ? value.filter((item) => {
            const field = step.field.split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), item);
            return (typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean') && String(field) === step.value;
          })
        : [];
  }
}

/** Every value the path selects in `root`, in document order. */
export function findJsonPath(root: unknown, path: string): unknown[] {
  return parseJsonPath(path).reduce<unknown[]>((values, step) => values.flatMap((v) => apply(step, v)), [root]);
}
