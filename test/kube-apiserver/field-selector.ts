// SPDX-License-Identifier: MIT
// Field selectors on `metadata.name` and `metadata.namespace`, the ones every resource supports.

import type { KubeObject } from './json-value.js';
import { badRequest } from './status-error.js';

interface FieldRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  equals: boolean;
  value: string;
}

/** A parsed field selector. */
export type FieldSelector = FieldRequirement[];

/** Parses `?fieldSelector=`; other fields answer 400 as on a real server for custom resources. */
export function parseFieldSelector(text: string | null): FieldSelector {
  if (text === null || text.trim() === '') return [];
  return text.split(',').map((part) => {
    const m = /^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (m === null) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    if (m[1] !== 'metadata.name' && m[1] !== 'metadata.namespace') {
      throw badRequest(`field label not supported: ${m[1]}`);
    }
    return { field: m[1], equals: m[2] !== '!=', value: m[3] };
  });
}

/** Whether the object satisfies every requirement. */
export function matchesFields(selector: FieldSelector, object: KubeObject): boolean {
  return selector.every((r) => {
    const actual = r.field === 'metadata.name' ? object.metadata.name : object.metadata.namespace ?? '';
    return (actual === r.value) === r.equals;
  });
}
