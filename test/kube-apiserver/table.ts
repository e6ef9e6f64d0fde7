// SPDX-License-Identifier: MIT
// `meta.k8s.io/v1 Table` responses for `kubectl get`: CRD printer columns, or Name/Age for built-ins.

import type { Clock } from './clock.js';
import { humanDuration } from './human-duration.js';
import { findJsonPath } from './json-path.js';
import { omitKeys, type JsonObject, type KubeObject } from './json-value.js';
import type { PrinterColumn, ResourceType } from './resource-type.js';

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** Which object a row carries: `?includeObject=None|Object|PartialObjectMetadata`. */
export type IncludeObject = 'None' | 'Object' | 'PartialObjectMetadata';

function columnsFor(type: ResourceType): PrinterColumn[] {
  if (type.custom !== undefined) return type.custom.printerColumns;
  if (type.kind === 'CustomResourceDefinition') return [{ name: 'Created At', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
}

function cell(column: PrinterColumn, object: KubeObject, clock: Clock, builtinCreatedAt: boolean): unknown {
  let found: unknown[];
  try {
    found = findJsonPath(object, column.jsonPath);
  } catch {
    return null;
  }
  const value = found[0];
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const instant = Date.parse(value);
      if (Number.isNaN(instant)) return '<invalid>';
      return builtinCreatedAt ? value : humanDuration(clock.now().getTime() - instant);
    }
    default:
      return null;
  }
}

function rowObject(object: KubeObject, include: IncludeObject): JsonObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  const metadata = omitKeys(object.metadata, ['managedFields']);
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

/** Builds the Table for a list (or one object) of `type`. */
export function toTable(
  type: ResourceType,
  objects: readonly KubeObject[],
  listMeta: JsonObject,
  options: { clock: Clock; include: IncludeObject; noHeaders: boolean },
): JsonObject {
  const columns = columnsFor(type);
  const createdAt = type.kind === 'CustomResourceDefinition';
  const definitions = [
    { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
    ...columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: options.noHeaders ? null : definitions,
    rows: objects.map((object) => {
      const row: JsonObject = { cells: [object.metadata.name, ...columns.map((c) => cell(c, object, options.clock, createdAt))] };
      const included = rowObject(object, options.include);
      if (included !== undefined) row.object = included;
      return row;
    }),
  };
}
