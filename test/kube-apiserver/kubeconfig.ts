// SPDX-License-Identifier: MIT
// Kubeconfig for the fake: a file for `kubectl --kubeconfig`, or a client-node KubeConfig.

import { writeFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';

/** The kubeconfig YAML for a plain-HTTP server at `serverUrl`, default namespace `namespace`. */
export function kubeconfigYaml(serverUrl: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${serverUrl}`,
    // client-node refuses plain http unless TLS verification is (vacuously) switched off.
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: fake',
    '  user:',
    '    token: fake-token',
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: fake',
    `    namespace: ${namespace}`,
    'current-context: fake',
    '',
  ].join('\n');
}

/** Writes the kubeconfig to `path` and returns `path`. */
export async function writeKubeconfig(path: string, serverUrl: string, namespace?: string): Promise<string> {
  await writeFile(path, kubeconfigYaml(serverUrl, namespace), { mode: 0o600 });
  return path;
}

/** A client-node KubeConfig for the fake, as `loadFromOptions` builds it. */
export function kubeConfigFor(serverUrl: string, namespace = 'default'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: serverUrl, skipTLSVerify: true }],
    users: [{ name: 'fake', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace }],
    currentContext: 'fake',
  });
  return kc;
}
