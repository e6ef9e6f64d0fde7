// SPDX-License-Identifier: MIT
// Label selectors in their query-string form (`a=b,c!=d,e in (f,g),!h,i`), parsed and matched.

import { badRequest } from './status-error.js';

type Requirement =
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** A parsed selector; matches everything when empty. */
export type LabelSelector = Requirement[];

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(text: string): Requirement {
  let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (m !== null) return { op: m[2] as 'in' | 'notin', key: m[1], values: m[3].split(',').map((v) => v.trim()) };
  m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(text);
  if (m !== null) return { op: m[2] === '!=' ? 'notin' : 'in', key: m[1], values: [m[3]] };
  m = /^(!?)([\w./-]+)$/.exec(text);
  if (m !== null) return { op: m[1] === '!' ? 'notexists' : 'exists', key: m[2] };
  throw badRequest(`unable to parse requirement: ${JSON.stringify(text)}`);
}

/** Parses `?labelSelector=`; throws a 400 ApiError on syntax errors. */
export function parseLabelSelector(text: string | null): LabelSelector {
  return text === null ? [] : splitTopLevel(text).map(parseRequirement);
}

/** Whether `labels` satisfy every requirement. */
export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return selector.every((r) => {
    const value = labels?.[r.key];
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case 'notexists':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}
