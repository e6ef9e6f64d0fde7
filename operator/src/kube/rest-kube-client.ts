// SPDX-License-Identifier: MIT
// KubeClient on @kubernetes/client-node: its KubeConfig supplies the server, credentials and TLS
// (kubeconfig file, in-cluster service account, exec plugins), its Watch streams events, and
// requests go out through the same fetch transport client-node itself uses.

import { Watch, type KubeConfig } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import type { KubeClient, PatchType, Selection, WatchEvent, WatchStream } from './kube-client.js';
import { kubeApiError } from './kube-api-error.js';
import type { KubeObject, ObjectList } from './kube-object.js';
import { apiVersionOf, collectionPath, objectPath, type ResourceType } from './resources.js';
import { FIELD_MANAGER } from '../api/v1alpha1/names.js';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

interface Request {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
}

function selectionQuery(selection: Selection): Record<string, string | undefined> {
  return { labelSelector: selection.labelSelector, fieldSelector: selection.fieldSelector };
}

/** What ended a watch stream: null for a clean close. */
function watchEndError(error: unknown): Error | null {
  if (error === null || error === undefined) return null;
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : JSON.stringify(error));
}

/** Creates a KubeClient for the cluster `config` points at. */
export function restKubeClient(config: KubeConfig): KubeClient {
  const server = (): string => {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error('The kubeconfig names no current cluster.');
    return cluster.server.replace(/\/$/, '');
  };

  const send = async <T>(request: Request, what: string): Promise<T | undefined> => {
    const url = new URL(server() + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(key, value);
    const init = await config.applyToFetchOptions({});
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined), Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = request.contentType ?? 'application/json';
    const response = await fetch(url, {
      ...init,
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const text = await response.text();
    if (response.status === 404 && request.method === 'GET') return undefined;
    if (response.status === 404 && request.method === 'DELETE') return undefined;
    if (response.status < 200 || response.status >= 300) throw kubeApiError(response.status, text, what);
    return text === '' ? undefined : (JSON.parse(text) as T);
  };
  const required = async <T>(request: Request, what: string): Promise<T> => {
    const result = await send<T>(request, what);
    if (result === undefined) throw new Error(`${what}: the API server answered without a body.`);
    return result;
  };
  const describe = (verb: string, type: ResourceType, namespace: string | undefined, name?: string): string =>
    `${verb} ${type.kind} ${namespace === undefined ? '' : `${namespace}/`}${name ?? ''}`.trim();

  return {
    get: (type, namespace, name) => send({ method: 'GET', path: objectPath(type, namespace, name) }, describe('get', type, namespace, name)),
    list: <T extends KubeObject>(type: ResourceType, selection: Selection & { readonly limit?: number; readonly continue?: string }) =>
      required<ObjectList<T>>(
        {
          method: 'GET',
          path: collectionPath(type, selection.namespace),
          query: { ...selectionQuery(selection), limit: selection.limit?.toString(), continue: selection.continue },
        },
        describe('list', type, selection.namespace),
      ),
    create: (type, object) =>
      required(
        {
          method: 'POST',
          path: collectionPath(type, object.metadata?.namespace),
          query: { fieldManager: FIELD_MANAGER },
          body: { apiVersion: apiVersionOf(type), kind: type.kind, ...object },
        },
        describe('create', type, object.metadata?.namespace, object.metadata?.name),
      ),
    replace: (type, object, subresource) =>
      required(
        {
          method: 'PUT',
          path: objectPath(type, object.metadata?.namespace ?? '', object.metadata?.name ?? '', subresource),
          query: { fieldManager: FIELD_MANAGER },
          body: { apiVersion: apiVersionOf(type), kind: type.kind, ...object },
        },
        describe('replace', type, object.metadata?.namespace, object.metadata?.name),
      ),
    patch: (type, namespace, name, change) =>
      required(
        {
          method: 'PATCH',
          path: objectPath(type, namespace, name, change.subresource),
          query: { fieldManager: FIELD_MANAGER, force: change.type === 'apply' && change.force === true ? 'true' : undefined },
          body: change.body,
          contentType: PATCH_CONTENT_TYPES[change.type],
        },
        describe(`patch${change.subresource === undefined ? '' : ` ${change.subresource} of`}`, type, namespace, name),
      ),
    delete: async (type, namespace, name, preconditions) => {
      await send(
        {
          method: 'DELETE',
          path: objectPath(type, namespace, name),
          body: preconditions === undefined ? undefined : { apiVersion: 'v1', kind: 'DeleteOptions', preconditions },
        },
        describe('delete', type, namespace, name),
      );
    },
    watch: async (type, selection, onEvent) => {
      let settle: (error: Error | null) => void = () => undefined;
      const done = new Promise<Error | null>((resolve) => {
        settle = resolve;
      });
      const query = {
        ...selectionQuery(selection),
        resourceVersion: selection.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: selection.timeoutSeconds?.toString(),
      };
      const controller = await new Watch(config).watch(
        collectionPath(type, selection.namespace),
        Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)),
        (phase: string, object: KubeObject) => onEvent({ type: phase as WatchEvent['type'], object }),
        (error: unknown) => settle(watchEndError(error)),
      );
      return { done, stop: () => controller.abort() } satisfies WatchStream;
    },
  };
}
